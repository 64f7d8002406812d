"""The TCCS contract (design 002): the contentInfo grammar field by field, the form, the recorded samples."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from contracts import Exchange, Redactor, Request, Response, best_match, load_contract
from contracts.tccs import HERE, TccsContract
from partnersim.cli import main

FORM = "application/x-www-form-urlencoded"
GUID = "e99fc166-9d990-4a99-bb16-99fe155ebf99"


@pytest.fixture(scope="module")
def contract() -> TccsContract:
    loaded = load_contract("tccs")
    assert isinstance(loaded, TccsContract)
    return loaded


def form_request(path: str, content: str | None, *, media: str = FORM, **fields: str) -> Request:
    from urllib.parse import urlencode

    values = {"consumerGUID": "G", "entryKey": "K", **fields}
    if content is not None:
        values["contentInfo"] = content
    return Request("POST", path, host="invoicecloudapi", headers={"Content-Type": media},
                   body=urlencode({k: v for k, v in values.items() if v != "<absent>"}).encode())


# -- the contract as a whole --------------------------------------------------------------------
def test_the_document_is_valid_and_every_operation_has_a_grammar(contract: TccsContract) -> None:
    assert contract.document_violations() == []
    names = {op.name for op in contract.operations()}
    assert names == {"ARState_Output", "Pay_Input", "Insufficient_Pay_Report", "Paperless_Bill", "Recurring_Pay",
                     "Retrieve_Bill_Image"}
    assert set(contract.grammars.grammars) == names and contract.form_field == "contentInfo"
    assert all(op.method == "POST" and op.host == "invoicecloudapi" for op in contract.operations())


def test_every_answer_is_marked_assumed(contract: TccsContract) -> None:
    for path in contract.doc["paths"].values():
        for status, answer in path["post"]["responses"].items():
            target = answer if "$ref" not in answer else contract.doc["components"]["responses"][answer["$ref"].rsplit("/", 1)[1]]
            assert target.get("x-partnersim-assumed") is True, status


@pytest.mark.parametrize("path,operation", [
    ("/api/Pay_Input", "Pay_Input"), ("/api/Pay_input", "Pay_Input"), ("/api/pay_input", "Pay_Input"),
    ("/API/PAY_INPUT/", "Pay_Input"), ("/api/arstate_output", "ARState_Output"),
    ("/retrieve_bill_image", "Retrieve_Bill_Image"), ("/api/Pay_Inputs", None), ("/Pay_Input", None),
])
def test_paths_match_without_regard_to_case(contract: TccsContract, path: str, operation: str | None) -> None:
    match = contract.match(Request("POST", path, host="invoicecloudapi"))
    assert (match.operation.name if match else None) == operation


def test_a_conforming_request_has_no_violation(contract: TccsContract) -> None:
    request = form_request("/api/pay_input", f" 306 - 12/11/2019 | 24.00 : CC @ {GUID} ")
    assert contract.check_request(request) == []


# -- the grammar, field by field ------------------------------------------------------------------
PAY = "/api/Pay_Input"
NSF = "/api/Insufficient_Pay_Report"
MALFORMED = [
    # (path, contentInfo, the field named, what was found)
    ("/api/ARState_Output", "454100010/06/16/2020", "invoice", "'454100010/06/16/2020'"),
    ("/api/ARState_Output", "454100010-13/01/2020", "invoice", "'454100010-13/01/2020'"),
    ("/api/ARState_Output", "4541 00010-06/16/2020", "invoice", "'4541 00010-06/16/2020'"),
    ("/api/ARState_Output", "454100010-6/16/2020", "invoice", "'454100010-6/16/2020'"),
    ("/Retrieve_Bill_Image", "", "invoice", "''"),
    (PAY, "306-12/11/2019|24,00:CC", "amount", "'24,00'"),
    (PAY, "306-12/11/2019|24.0:CC", "amount", "'24.0'"),
    (PAY, "306-12/11/2019|0.00:CC", "amount", "'0.00'"),
    (PAY, "306-12/11/2019|-24.00:CC", "amount", "'-24.00'"),
    (PAY, "306-12/11/2019|$24.00:CC", "amount", "'$24.00'"),
    (PAY, "306-12/11/2019|24.00:VISA", "payment_type", "'VISA'"),
    (PAY, "306-12/11/2019|24.00:cc", "payment_type", "'cc'"),
    (PAY, "306-12/11/2019|24.00:OBD", "payment_type", "'OBD'"),
    (PAY, "306-12/11/2019|24.00:CC@e99 fc166", "payment_guid", "'e99 fc166'"),
    (PAY, "306-12/11/2019|24.00:CC@e99--fc166", "payment_guid", "'e99--fc166'"),
    (PAY, "306-12/11/2019|24.00:CC@-e99", "payment_guid", "'-e99'"),
    (PAY, "306-12/11/2019|24.00:CC@e99_fc166", "payment_guid", "'e99_fc166'"),
    (PAY, "306-12/11/2019|24.00:CC@", "payment_guid", "''"),
    (PAY, "306-12/11/2019|24.00:CC@" + "a1-" * 33 + "a", "payment_guid", None),
    (PAY, "Q3272-12/11/2019||24.00", "insured_name", "''"),
    (PAY, "Q3272-12/11/2019|" + "x" * 101 + "|24.00", "insured_name", None),
    (PAY, "Q3272-12/11/2019|a@b|24.00", "insured_name", "'a@b'"),
    (PAY, "Q3272-12/11/2019|Test Name|24.00:CC", "amount", "'24.00:CC'"),
    (PAY, "Q3272-12/11/2019|Test Name|24", None, None),
    (NSF, "454100010-03/01/2019 : 6/22/2020 | 25.00 | IFR", "date", "'6/22/2020'"),
    (NSF, "454100010-03/01/2019 : 02/30/2020 | 25.00 | IFR", "date", "'02/30/2020'"),
    (NSF, "454100010-03/01/2019 : 06/22/2020 | 25 .00 | IFR", "amount", "'25 .00'"),
    (NSF, "454100010-03/01/2019 : 06/22/2020 | 25.00 | NSF", "code", "'NSF'"),
    (NSF, "454100010-03/01/2019 : 06/22/2020 | 25.00 | ifr", "code", "'ifr'"),
    ("/api/Paperless_Bill", "454100010-03/01/2019:Yes|PB", "flag", "'Yes'"),
    ("/api/Paperless_Bill", "454100010-03/01/2019:y|PB", "flag", "'y'"),
    ("/api/Paperless_Bill", "454100010-03/01/2019:Y|R", "code", "'R'"),
    ("/api/Recurring_Pay", "454100010-03/01/2019:N|PB", "code", "'PB'"),
    ("/api/Recurring_Pay", "454100010-03/01/2019:Y|R|R", "code", "'R|R'"),
]


@pytest.mark.parametrize("path,content,field,found", MALFORMED, ids=[f"{m[0].rsplit('/', 1)[1]}:{m[1][:40]}" for m in MALFORMED])
def test_each_malformed_field_is_named(contract: TccsContract, path: str, content: str, field: str | None,
                                       found: str | None) -> None:
    violations = contract.check_request(form_request(path, content))
    if field is None:  # a conforming variation, for contrast
        assert violations == []
        return
    assert [v.location for v in violations] == [f"contentInfo {field}"], [str(v) for v in violations]
    if found is not None:
        assert violations[0].found == found
    assert violations[0].contract.startswith("grammars.yaml#/operations/")


def test_the_spec_s_amount_example(contract: TccsContract) -> None:
    (v,) = contract.check_request(form_request(PAY, "306-12/11/2019|24,00:CC"))
    assert (v.location, v.expected, v.found) == ("contentInfo amount", "an amount such as 24.00", "'24,00'")


def test_a_guid_of_100_characters_is_too_long_and_99_is_not(contract: TccsContract) -> None:
    guid = "a" * 98 + "1"
    assert contract.check_request(form_request(PAY, f"306-12/11/2019|24.00:CC@{guid}")) == []
    (v,) = contract.check_request(form_request(PAY, f"306-12/11/2019|24.00:CC@{guid}1"))
    assert v.location == "contentInfo payment_guid" and "100 characters" in v.message


def test_missing_separators_name_what_is_missing(contract: TccsContract) -> None:
    found = contract.check_request(form_request(PAY, "306-12/11/2019"))
    assert [(v.location, v.found) for v in found] == [("contentInfo amount", "absent"), ("contentInfo payment_type", "absent")]
    assert found[0].expected == "'|' then an amount such as 24.00"


def test_the_design_s_samples_parse_into_their_fields(contract: TccsContract) -> None:
    pay = contract.parse_content("Pay_Input", f"306-12/11/2019|24.00:CC@{GUID}")
    assert (pay.variant, pay.fields) == ("payment", {"invoice": "306-12/11/2019", "amount": "24.00",
                                                     "payment_type": "CC", "payment_guid": GUID})
    quote = contract.parse_content("Pay_Input", f"Q3272-12/11/2019|Test Name|24.00@{GUID}")
    assert (quote.variant, quote.fields["insured_name"], quote.groups["invoice"]) == (
        "quote", "Test Name", {"policy": "Q3272", "date": "12/11/2019"})
    nsf = contract.parse_content("Insufficient_Pay_Report", "454100010 -03/01/2019 : 06/22/2020 | 25.00 | IFR")
    assert nsf.ok and nsf.fields == {"invoice": "454100010-03/01/2019", "date": "06/22/2020", "amount": "25.00", "code": "IFR"}
    assert contract.parse_content("Paperless_Bill", "454100010-03/01/2019:Y|PB").fields["flag"] == "Y"
    assert contract.parse_content("Recurring_Pay", "454100010-03/01/2019:N|R").fields["flag"] == "N"


# -- the form -------------------------------------------------------------------------------------
@pytest.mark.parametrize("absent", ["consumerGUID", "entryKey"])
def test_a_missing_form_field_is_named_by_itself(contract: TccsContract, absent: str) -> None:
    found = contract.check_request(form_request(PAY, "306-12/11/2019|24.00:CC", **{absent: "<absent>"}))
    assert [(v.location, v.found) for v in found] == [(f"body {absent}", "absent")]


def test_a_missing_content_info_is_named_and_comes_first(contract: TccsContract) -> None:
    found = contract.check_request(form_request(PAY, None))
    assert [v.location for v in found] == ["body contentInfo"]
    worst = best_match(found + contract.check_request(form_request(PAY, "x")))
    assert worst is not None and worst.location == "body contentInfo"


def test_a_body_that_is_not_a_form_is_named_by_its_content_type(contract: TccsContract) -> None:
    found = contract.check_request(form_request(PAY, "306-12/11/2019|24.00:CC", media="application/json"))
    assert [v.location for v in found] == ["header Content-Type"]
    not_utf8 = Request("POST", PAY, host="invoicecloudapi", headers={"Content-Type": FORM}, body=b"contentInfo=\xff")
    assert [v.location for v in contract.check_request(not_utf8)] == ["body"]


# -- the recorded exchanges ---------------------------------------------------------------------
def test_every_recorded_exchange_conforms_and_cites_the_design(contract: TccsContract) -> None:
    assert len(contract.exchanges) == 11
    for exchange in contract.exchanges:
        assert contract.check_exchange(exchange) == [], exchange.id
        assert exchange.source.startswith("design 002 §"), exchange.id
        assert "assumed" in exchange.notes, exchange.id
        assert b"consumerGUID=<CONSUMER_GUID>&entryKey=<ENTRY_KEY>&contentInfo=" in exchange.request.body


def test_the_recordings_hold_each_design_sample_as_written(contract: TccsContract) -> None:
    contents = {contract.form(e.request)["contentInfo"] for e in contract.exchanges}  # type: ignore[index]
    for sample in (f"306-12/11/2019|24.00:CC@{GUID}", f"Q3272-12/11/2019|Test Name|24.00@{GUID}",
                   "454100010 -03/01/2019 : 06/22/2020 | 25.00 | IFR", "454100010-03/01/2019:Y|PB",
                   "454100010-03/01/2019:Y|R", "454100010-06/16/2020"):
        assert sample in contents
    operations = {e.operation for e in contract.exchanges}
    assert operations == {op.name for op in contract.operations()}


def test_no_real_partner_host_or_credential_is_recorded() -> None:
    """Recordings name no host but a synthetic one, and carry the credentials as placeholders."""
    for path in (HERE / "exchanges").glob("*.yaml"):
        text = path.read_text()
        hosts = set(re.findall(r"https?://([^/\s\"'<>)]+)", text))
        assert all(h.endswith(".example.test") or h.startswith("127.0.0.1") for h in hosts), (path.name, hosts)
        assert "entryKey=sandbox" not in text and "consumerGUID=SANDBOX" not in text, path.name


def test_verify_passes_and_catches_a_broken_answer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--partner", "tccs"]) == 0
    assert "OK: 0 violation(s) in 11 exchange(s)" in capsys.readouterr().out
    broken = (HERE / "exchanges" / "01_rtdr.yaml").read_text().replace('"RecordBal": "125.00"', '"RecordBal": 125')
    (tmp_path / "broken.yaml").write_text(broken)
    shutil.copy(HERE / "exchanges" / "07_paperless_bill.yaml", tmp_path)
    assert main(["verify", "--partner", "tccs", "--exchanges", str(tmp_path), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    (entry,) = [e for e in report["partners"][0]["exchanges"] if e["violations"]]
    assert entry["id"] == "tccs-rtdr-design" and entry["violations"][0]["location"] == "response body /RecordBal"


def test_a_recorded_request_with_a_broken_content_info_fails_verification(contract: TccsContract) -> None:
    (exchange,) = [e for e in contract.exchanges if e.id == "tccs-pay-input-guid-design"]
    broken = replace(exchange, request=replace(exchange.request, body=exchange.request.body.replace(b"24.00", b"24,00")))
    assert [v.location for v in contract.check_exchange(broken)] == ["contentInfo amount"]


def test_the_answers_schemas_refuse_what_tccs_would_not_send(contract: TccsContract) -> None:
    request = form_request(PAY, "306-12/11/2019|24.00:CC")
    good = {"Status": "Success", "InvoiceNumber": "306-12/11/2019", "AmountPaid": "24.00", "PaymentType": "CC",
            "ReceiptNumber": "TC000002", "PaymentGUID": None}
    media = {"Content-Type": "application/json; charset=utf-8"}
    assert contract.check_response(request, Response(200, media, json.dumps(good).encode())) == []
    for bad in ({**good, "AmountPaid": 24.0}, {**good, "PaymentType": "VISA"}, {**good, "Status": "OK"}):
        assert contract.check_response(request, Response(200, media, json.dumps(bad).encode()))
    error = {"Status": "Error", "ErrorCode": "AUTHENTICATION_FAILED", "Message": "no"}
    assert contract.check_response(request, Response(401, media, json.dumps(error).encode())) == []
    assert contract.check_response(request, Response(503, media, json.dumps(error).encode())) == []


# -- secrets and the BIF --------------------------------------------------------------------------
@pytest.mark.parametrize("media", [FORM, "", "text/plain", "application/json"])
def test_the_redactor_scrubs_the_credentials_of_a_form_body_however_it_is_labelled(media: str) -> None:
    body = b"consumerGUID=G-123&entryKey=s3cret&contentInfo=306-12/11/2019|24.00:CC"
    headers = {"Content-Type": media} if media else {}
    safe = Exchange(partner="tccs", request=Request("POST", PAY, headers=headers, body=body)).redacted(Redactor())
    assert b"s3cret" not in safe.request.body and b"G-123" not in safe.request.body
    assert b"contentInfo=306" in safe.request.body


def test_the_sample_bif_conforms_to_the_mapping(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bif", "check", "--partner", "tccs", str(HERE / "sample.bif")]) == 0
    assert "conforms" in capsys.readouterr().out


def test_the_bif_mapping_checks_the_invoice_number(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = (HERE / "sample.bif").read_text().replace("10~306-12/11/2019", "10~306-2019-12-11")
    (tmp_path / "broken.bif").write_text(broken)
    assert main(["bif", "check", "--partner", "tccs", str(tmp_path / "broken.bif")]) == 1
    assert "FileSpecID 10" in capsys.readouterr().out


# -- fields in the partner's own terms (scenario assertions: ``contentInfo amount``, ``form entryKey``) --
@pytest.mark.parametrize("name,value", [
    ("contentInfo invoice", "306-12/11/2019"), ("contentInfo amount", "24.00"), ("contentInfo payment_type", "CC"),
    ("contentInfo payment_guid", GUID), ("contentInfo insured_name", None), ("contentInfo nosuchfield", None),
])
def test_a_content_info_field_is_read_normalised(contract: TccsContract, name: str, value: str | None) -> None:
    request = form_request("/api/pay_input", f" 306 - 12/11/2019 | 24.00 : CC @ {GUID} ")
    assert contract.field(request, name) == value


def test_each_operation_s_fields_are_named_by_its_grammar(contract: TccsContract) -> None:
    nsf = form_request(NSF, "454100010 -03/01/2019 : 06/22/2020 | 25.00 | IFR")
    assert [contract.field(nsf, f"contentInfo {f}") for f in ("invoice", "date", "amount", "code")] == [
        "454100010-03/01/2019", "06/22/2020", "25.00", "IFR"]
    quote = form_request(PAY, f"Q3272-12/11/2019|Test Name|24.00@{GUID}")
    assert (contract.field(quote, "contentInfo insured_name"), contract.field(quote, "contentInfo payment_type")) == (
        "Test Name", None)
    autopay = form_request("/api/Recurring_Pay", "454100010-03/01/2019:Y|R")
    assert (contract.field(autopay, "contentInfo flag"), contract.field(autopay, "contentInfo code")) == ("Y", "R")


@pytest.mark.parametrize("path,content,name,value", [
    (PAY, "306-12/11/2019| 24,00 :CC", "contentInfo amount", "24,00"),
    (PAY, "306-12/11/2019|24.00:VISA", "contentInfo payment_type", "VISA"),
    (PAY, "306-12/11/2019|24.00:CC@e99fc166 9d990", "contentInfo payment_guid", "e99fc166 9d990"),
    (PAY, "Q3272-12/11/2019||24.00", "contentInfo insured_name", ""),
    (PAY, "454100010-2020-06-16|24.00:CC", "contentInfo invoice", "454100010-2020-06-16"),
    (NSF, "454100010-03/01/2019:13/45/2020|25.00|NSF", "contentInfo date", "13/45/2020"),
    ("/api/Paperless_Bill", "454100010-03/01/2019:X|PB", "contentInfo flag", "X"),
])
def test_a_broken_field_is_given_as_written(contract: TccsContract, path: str, content: str, name: str,
                                            value: str) -> None:
    request = form_request(path, content)
    assert contract.field(request, name) == value
    assert name in [v.location for v in contract.check_request(request)], "and it is the violation's location"


def test_the_other_fields_of_a_broken_content_info_are_still_read(contract: TccsContract) -> None:
    request = form_request(PAY, "306-12/11/2019|24,00:CC")
    assert (contract.field(request, "contentInfo invoice"), contract.field(request, "contentInfo payment_type")) == (
        "306-12/11/2019", "CC")


def test_a_form_field_is_read_as_sent(contract: TccsContract) -> None:
    request = form_request(PAY, "306-12/11/2019|24.00:CC", entryKey="s3cret")
    assert contract.field(request, "form entryKey") == "s3cret"
    assert contract.field(request, "form consumerGUID") == "G"
    assert contract.field(request, "form contentInfo") == "306-12/11/2019|24.00:CC", "URL-decoded, not normalised"
    assert contract.field(request, "form pmtGUID") is None
    redacted = Exchange(partner="tccs", request=request).redacted(Redactor()).request
    assert contract.field(redacted, "form entryKey") == "<REDACTED>", "what a scenario sees in the journal"


def test_content_info_is_none_where_there_is_none(contract: TccsContract) -> None:
    assert contract.field(form_request(PAY, None), "contentInfo amount") is None
    assert contract.field(form_request("/api/Nope", "306-12/11/2019"), "contentInfo invoice") is None
    json_request = Request("POST", PAY, host="invoicecloudapi", headers={"Content-Type": "application/json"},
                           body=b'{"contentInfo": "306-12/11/2019|24.00:CC"}')
    assert contract.field(json_request, "contentInfo amount") is None
    answer = Response(200, {"Content-Type": FORM}, b"contentInfo=306-12%2F11%2F2019%7C24.00%3ACC")
    assert contract.field(answer, "contentInfo amount") is None, "contentInfo is a request's field"


@pytest.mark.parametrize("name", ["json contentInfo", "contentInfo", "form", "amount", "header Content-Type"])
def test_an_unknown_kind_of_field_raises_key_error_listing_the_kinds(contract: TccsContract, name: str) -> None:
    with pytest.raises(KeyError) as info:
        contract.field(form_request(PAY, "306-12/11/2019|24.00:CC"), name)
    message = info.value.args[0]
    assert repr(name) in message and "'form <name>'" in message and "'contentInfo <name>'" in message


@pytest.mark.parametrize("partner", ["tccs", "imt", "spectrum"])
@pytest.mark.parametrize("media,body", [
    ("application/json", b'{"x": "1"}'), ("application/vnd.api+json", b'{"x": "1"}'), ("text/plain", b"x=1"),
    ("application/x-www-form-urlencoded", b"x=1&\xff"),  # labelled a form, but no UTF-8: unreadable
])
def test_a_form_field_of_a_body_that_is_no_form_is_none(partner: str, media: str, body: bytes) -> None:
    loaded = load_contract(partner)
    request = Request("POST", "/api/Pay_Input", host="invoicecloudapi", headers={"Content-Type": media}, body=body)
    assert loaded.field(request, "form x") is None
    assert loaded.field(Response(200, {"Content-Type": media}, body), "form x") is None
