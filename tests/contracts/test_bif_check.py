"""Checking BIF files and forms against a mapping: each kind of violation, with its line and FileSpecID."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import contracts
from contracts.bif import BifMapping, check, iter_violations, load_mapping, load_mapping_file, parse, parse_form
from contracts.violation import Violation

SAMPLE = Path(contracts.__file__).parent / "imt" / "sample.bif"
BROKEN = Path(__file__).parent / "data" / "imt_broken.bif"


@pytest.fixture(scope="module")
def imt() -> BifMapping:
    return load_mapping("imt")


@pytest.fixture
def sample() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def edit(text: str, line: int, spec_id: int, value: str | None) -> str:
    """The text with one field of one line set to ``value`` (appended if absent, removed if None)."""
    lines = text.split("\n")
    pairs = lines[line - 1].split("|")
    kept = [p for p in pairs if not p.startswith(f"{spec_id}~")]
    if value is None:
        pairs = kept
    elif len(kept) == len(pairs):
        pairs.append(f"{spec_id}~{value}")
    else:
        pairs = [f"{spec_id}~{value}" if p.startswith(f"{spec_id}~") else p for p in pairs]
    lines[line - 1] = "|".join(pairs)
    return "\n".join(lines)


def locations(text: str, mapping: BifMapping) -> list[str]:
    return [v.location for v in iter_violations(parse(text), mapping)]


def only(text: str, mapping: BifMapping) -> Violation:
    found = check(parse(text), mapping)
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


def test_the_imt_sample_conforms(sample: str, imt: BifMapping) -> None:
    assert check(parse(sample), imt) == []


def test_iter_violations_is_a_generator(sample: str, imt: BifMapping) -> None:
    violations = iter_violations(parse(sample), imt)
    assert iter(violations) is violations


def test_missing_required_field(sample: str, imt: BifMapping) -> None:
    v = only(edit(sample, 3, 60, None), imt)
    assert v.location == "line 3 FileSpecID 60"
    assert (v.expected, v.found) == ("CustomerName (required)", "absent")
    assert v.contract == "imt/bif_mapping.yaml CR FileSpecID 60"


def test_required_field_left_empty(sample: str, imt: BifMapping) -> None:
    v = only(edit(sample, 2, 12, ""), imt)
    assert (v.location, v.found) == ("line 2 FileSpecID 12", "an empty value")


@pytest.mark.parametrize(
    ("line", "spec_id", "value", "expected"),
    [
        (2, 11, "2024-07-12", "a date MM/DD/YYYY for InvoiceDate"),
        (2, 12, "02/30/2024", "a date MM/DD/YYYY for InvoiceDueDate"),
        (5, 93, "1,296.00", "an amount such as 494.90 (digits, optional '-', at most 2 decimals) for BalanceDue"),
        (2, 194, "true", "1 or 0 for BalanceForward"),
        (1, 2, "not-a-guid", "a GUID such as B3D8E0C6-0A66-4566-BD1F-480C87121EA6 for BillerGuid"),
    ],
)
def test_wrong_format(sample: str, imt: BifMapping, line: int, spec_id: int, value: str, expected: str) -> None:
    found = check(parse(edit(sample, line, spec_id, value)), imt)
    mine = [v for v in found if v.location == f"line {line} FileSpecID {spec_id}"]
    assert [(v.expected, v.found) for v in mine] == [(expected, repr(value))]


@pytest.mark.parametrize(("spec_id", "value", "fixed"), [(8, "R", "N"), (252, "1", "164"), (20, "1", "0")])
def test_wrong_fixed_value(sample: str, imt: BifMapping, spec_id: int, value: str, fixed: str) -> None:
    v = only(edit(sample, 8, spec_id, value), imt)
    assert v.location == f"line 8 FileSpecID {spec_id}"
    assert v.expected.startswith(repr(fixed)) and v.found == repr(value)


def test_field_the_partner_does_not_send(sample: str, imt: BifMapping) -> None:
    v = only(edit(sample, 2, 9, "B3D8E0C6-0A66-4566-BD1F-480C87121EA6"), imt)
    assert v.location == "line 2 FileSpecID 9" and "In File: N" in v.expected


def test_unknown_file_spec_id(sample: str, imt: BifMapping) -> None:
    v = only(edit(sample, 3, 373, "I-1"), imt)
    assert v.location == "line 3 FileSpecID 373"
    assert v.found == "FileSpecID 373 (DisplayAccountNumber)"


def test_field_in_the_wrong_record_says_where_it_belongs(sample: str, imt: BifMapping) -> None:
    v = only(edit(sample, 3, 44, "INVOICECLOUDPOLICY"), imt)
    assert v.location == "line 3 FileSpecID 44" and v.message == "it belongs to the IH record"


def test_duplicate_file_spec_id(sample: str, imt: BifMapping) -> None:
    text = sample.replace("|43~12 Months|", "|43~12 Months|43~6 Months|", 1)
    v = only(text, imt)
    assert v.location == "line 2 FileSpecID 43" and v.found == "a second occurrence"


def test_wrong_row_type_id(sample: str, imt: BifMapping) -> None:
    v = only(sample.replace("\n58~CR|59~A10123433", "\n59~CR|59~A10123433"), imt)
    assert v.location == "line 9 FileSpecID 59" and v.expected.startswith("FileSpecID 58 (RowType)")


def test_invoice_count_must_match(sample: str, imt: BifMapping) -> None:
    v = only(edit(sample, 1, 5, "4"), imt)
    assert (v.location, v.expected, v.found) == ("line 1 FileSpecID 5", "3 (the number of IH records)", "'4'")


def test_total_invoice_amount_must_match(sample: str, imt: BifMapping) -> None:
    v = only(edit(sample, 1, 6, "2874.49"), imt)
    assert v.location == "line 1 FileSpecID 6" and v.expected.startswith("2874.50")


def test_total_accepts_another_scale(sample: str, imt: BifMapping) -> None:
    assert check(parse(edit(sample, 1, 6, "2874.5")), imt) == []


def test_file_must_start_with_one_header(sample: str, imt: BifMapping) -> None:
    lines = sample.split("\n")
    assert "line 1" in locations("\n".join(lines[1:]), imt)
    doubled = "\n".join([lines[0], *lines[1:4], lines[0], *lines[4:]])
    assert "line 5" in locations(doubled, imt)


def test_invoice_without_customer_record(sample: str, imt: BifMapping) -> None:
    lines = sample.split("\n")
    del lines[8]  # the CR of the last invoice; its ID then follows the IH alone
    v = only("\n".join(lines), imt)
    assert v.location == "line 8" and v.expected.startswith("a CR record")


def test_customer_record_may_come_before_the_header(sample: str, imt: BifMapping) -> None:
    lines = sample.split("\n")
    lines[1], lines[2] = lines[2], lines[1]
    assert check(parse("\n".join(lines)), imt) == []


def test_instance_suffix_counts_repeats_of_an_account(sample: str, imt: BifMapping) -> None:
    text = edit(sample, 5, 10, "DIRINV-2024-07-12-ACCT0001-1")
    v = only(text, imt)
    assert v.location == "line 5 FileSpecID 10" and "ending in -2" in v.expected
    assert v.contract.endswith("rules instance_suffix")


def test_instance_suffix_is_required_on_first_invoices(sample: str, imt: BifMapping) -> None:
    v = only(edit(sample, 8, 10, "DIRINV-2024-07-12-A10123433"), imt)
    assert v.location == "line 8 FileSpecID 10" and "ending in -1" in v.expected


def test_instance_suffix_counts_per_invoice_type(sample: str, imt: BifMapping) -> None:
    """design 000: "each instance of account number in that file type" (the 252 fixed value is another matter)."""
    text = edit(edit(edit(sample, 5, 252, "165"), 5, 10, "DIRINV-2024-07-12-ACCT0001-1"), 5, 194, "1")
    assert locations(text, imt) == ["line 5 FileSpecID 252"]


@pytest.mark.parametrize("value", ["1", None])
def test_balance_forward_off_on_repeat(sample: str, imt: BifMapping, value: str | None) -> None:
    v = only(edit(sample, 5, 194, value), imt)
    assert v.location == "line 5 FileSpecID 194"
    assert v.found == ("absent" if value is None else "'1'")
    assert v.contract.endswith("rules balance_forward_off_on_repeat")


def test_minimum_due_equals_balance_due(sample: str, imt: BifMapping) -> None:
    v = only(edit(sample, 8, 21, "100.00"), imt)
    assert v.location == "line 8 FileSpecID 21" and v.expected.startswith("214.17")


def test_rules_are_opt_in(sample: str, imt: BifMapping, tmp_path: Path) -> None:
    """The same file under a mapping without rules: the IMT rules are the mapping's, not the checker's."""
    yaml_text = imt.path.read_text(encoding="utf-8") if imt.path else ""
    start, end = yaml_text.index("\nrules:"), yaml_text.index("\nfields:")
    no_rules = tmp_path / "bif_mapping.yaml"
    no_rules.write_text(yaml_text[:start] + "\nrules: []\n" + yaml_text[end:], encoding="utf-8")
    plain = load_mapping_file(no_rules)
    text = edit(edit(sample, 5, 10, "DIRINV-2024-07-12-ACCT0001-1"), 5, 194, "1")
    assert check(parse(text), plain) == []
    assert len(check(parse(text), imt)) == 2


def test_the_broken_sample_has_exactly_its_planted_violations(imt: BifMapping) -> None:
    found = sorted(locations(BROKEN.read_text(encoding="utf-8"), imt))
    assert found == sorted([
        "line 1 FileSpecID 2", "line 1 FileSpecID 4", "line 1 FileSpecID 5", "line 1 FileSpecID 6",
        "line 2 FileSpecID 8", "line 2 FileSpecID 9", "line 2 FileSpecID 10", "line 2 FileSpecID 11",
        "line 2 FileSpecID 20", "line 2 FileSpecID 21", "line 2 FileSpecID 999", "line 3 FileSpecID 60",
        "line 5 FileSpecID 10", "line 5 FileSpecID 21", "line 5 FileSpecID 194", "line 6 FileSpecID 44",
    ])


def test_every_location_names_a_line_and_file_spec_id(imt: BifMapping) -> None:
    for v in check(parse(BROKEN.read_text(encoding="utf-8")), imt):
        assert re.fullmatch(r"line \d+ FileSpecID \d+", v.location), v


# --- the web-service form ---------------------------------------------------------------------------

def _form(sample: str) -> str:
    """The first invoice of the sample as a web-service form."""
    lines = sample.split("\n")
    return (f"BillerGUID=G&WebServiceKey=K&CustomerRecord={lines[2]}&InvoiceHeaderRecord={lines[1]}"
            f"&InvoiceDetailRecords={lines[3]}")


def test_form_of_a_sample_invoice_conforms(sample: str, imt: BifMapping) -> None:
    assert check(parse_form(_form(sample)), imt) == []


def test_form_violations_name_the_form_field(sample: str, imt: BifMapping) -> None:
    text = _form(sample).replace("|11~07/12/2024|", "|11~2024-07-12|")
    v = check(parse_form(text), imt)
    assert [x.location for x in v] == ["InvoiceHeaderRecord FileSpecID 11"]


def test_form_without_header_record(sample: str, imt: BifMapping) -> None:
    text = _form(sample)
    text = text[: text.index("&InvoiceHeaderRecord")] + text[text.index("&InvoiceDetailRecords"):]
    v = check(parse_form(text), imt)
    assert [(x.location, x.found) for x in v] == [("InvoiceHeaderRecord", "absent")]


def test_form_instance_suffix_needs_a_suffix_but_cannot_count(sample: str, imt: BifMapping) -> None:
    assert check(parse_form(_form(sample).replace("ACCT0001-1|", "ACCT0001-7|")), imt) == []
    v = check(parse_form(_form(sample).replace("ACCT0001-1|", "ACCT0001|")), imt)
    assert [x.location for x in v] == ["InvoiceHeaderRecord FileSpecID 10"]


def test_form_field_holding_the_wrong_record(sample: str, imt: BifMapping) -> None:
    lines = sample.split("\n")
    text = f"CustomerRecord={lines[1]}&InvoiceHeaderRecord={lines[2]}"
    assert "CustomerRecord" in [x.location for x in check(parse_form(text), imt)]
