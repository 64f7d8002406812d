"""Reading and writing BIF text: files and the web-service form, round trips and unreadable input."""

from __future__ import annotations

from pathlib import Path

import pytest

import contracts
from contracts.bif import Record, build, build_form, parse, parse_form
from contracts.bif.records import Bif
from contracts.errors import BifError

SAMPLE = Path(contracts.__file__).parent / "imt" / "sample.bif"

# Design 004 §File Mapping, the HTTPMessageBody of its sample, with the XML's &amp; unescaped.
DESIGN_004_FORM = (
    "BillerGUID=<BILLER_GUID>&WebServiceKey=<WEB_SERVICE_KEY>&CustomerRecord=58~CR|59~102500001|60~Jim Smalls|"
    "61~1601 Penn St|62~|63~Penn|64~PA|65~43210|67~|373~I-100800001-1&InvoiceHeaderRecord=7~IH|8~N|"
    "9~B3D8E0C6-0A66-4566-BD1F-480C87121EA6|10~68417|11~10/21/2021|12~09/20/2021|13~494.90|20~1|39~AG0001|"
    "40~I-100800001-1|42~P|93~494.90|194~1|252~164&InvoiceDetailRecords=70~ID|100~I-100800001-1&"
)


def test_sample_round_trips() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    assert build(parse(text)) == text


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("final", [True, False])
def test_round_trip_keeps_line_endings(newline: str, final: bool) -> None:
    lines = ["1~FH|2~G|4~07/12/2024|5~1|6~1.00", "7~IH|10~A-1|13~1.00", "58~CR|59~A|62~"]
    text = newline.join(lines) + (newline if final else "")
    bif = parse(text)
    assert bif.newline == newline and bif.final_newline is final
    assert build(bif) == text


def test_parse_keeps_order_duplicates_and_line_numbers() -> None:
    bif = parse("1~FH|5~1\n\n7~IH|13~2.00|13~3.00|10~X-1\n58~CR|59~A\n")
    header = bif.records[1]
    assert header.kind == "IH" and header.line == 3  # the blank line counts, as in an editor
    assert header.pairs == [(7, "IH"), (13, "2.00"), (13, "3.00"), (10, "X-1")]
    assert header.get(13) == "2.00" and header.get(99) is None
    assert header.location(13) == "line 3 FileSpecID 13"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("1~FH|5~1\n7~IH|oops\n", "line 2: pair 2 'oops' is not FileSpecID~value"),
        ("1~FH|x5~1\n", "line 1: pair 2 'x5~1': the FileSpecID 'x5' is not a number"),
        ("1~FH\n9~ZZ|10~1\n", "line 2: the record starts with '9~ZZ'"),
        ("1~FH\n7~IH|60~a~b\n", "holds a '~'"),
        ("CustomerRecord=58~CR|59~1&InvoiceHeaderRecord=7~IH\n", "looks like a web-service form"),
    ],
)
def test_unreadable_file_raises_bif_error_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(BifError, match=message.replace("(", r"\(").replace("|", r"\|")):
        parse(text)


@pytest.mark.parametrize("value", ["a|b", "a~b", "a\nb", "a\r\nb"])
def test_build_refuses_values_the_format_cannot_carry(value: str) -> None:
    bif = Bif([Record.new("FH", [(3, value)], line=1)])
    with pytest.raises(BifError, match=r"line 1 FileSpecID 3: the value .* no escaping"):
        build(bif)


def test_design_004_form_parses_and_round_trips() -> None:
    form = parse_form(DESIGN_004_FORM)
    assert form.params == {"BillerGUID": "<BILLER_GUID>", "WebServiceKey": "<WEB_SERVICE_KEY>"}
    assert [r.kind for r in form.records] == ["CR", "IH", "ID"]
    customer, header, detail = form.records
    assert customer.value(60) == "Jim Smalls" and customer.get(62) == ""
    assert header.value(13) == "494.90" and header.location(13) == "InvoiceHeaderRecord FileSpecID 13"
    assert detail.pairs == [(70, "ID"), (100, "I-100800001-1")]
    assert form.trailing_separator
    assert build_form(form) == DESIGN_004_FORM


def test_form_splits_several_detail_records_at_their_row_type() -> None:
    form = parse_form("CustomerRecord=58~CR|59~A&InvoiceHeaderRecord=7~IH|10~X-1&"
                      "InvoiceDetailRecords=70~ID|72~one|70~ID|72~two")
    details = form.records_of("InvoiceDetailRecords")
    assert [d.value(72) for d in details] == ["one", "two"]
    assert [d.where for d in details] == ["InvoiceDetailRecords[1]", "InvoiceDetailRecords[2]"]
    assert build_form(form) == ("CustomerRecord=58~CR|59~A&InvoiceHeaderRecord=7~IH|10~X-1&"
                                "InvoiceDetailRecords=70~ID|72~one|70~ID|72~two")


def test_percent_encoded_form_reads_as_the_raw_one() -> None:
    raw = parse_form(DESIGN_004_FORM)
    encoded = build_form(raw, encoded=True)
    assert "Jim+Smalls" in encoded and "%7C" not in encoded  # pipes and tildes stay readable
    again = parse_form(encoded)
    assert again.records == raw.records and again.params == raw.params


def test_raw_form_refuses_an_ampersand() -> None:
    form = parse_form("CustomerRecord=58~CR|59~A|60~Smith %26 Sons")
    assert form.records[0].value(60) == "Smith & Sons"
    with pytest.raises(BifError, match="encoded=True"):
        build_form(form)
    assert "Smith+%26+Sons" in build_form(form, encoded=True)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("CustomerRecord", "is not name=value"),
        ("CustomerRecord=58~CR&CustomerRecord=58~CR", "appears twice"),
        ("CustomerRecord=59~A", "the record starts with '59~A'"),
    ],
)
def test_unreadable_form_raises_bif_error(text: str, message: str) -> None:
    with pytest.raises(BifError, match=message):
        parse_form(text)
