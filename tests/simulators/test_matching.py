"""``simulators.matching``: where a call is, its fields in the partner's terms, and how two calls differ."""

from __future__ import annotations

from contracts import load_contract
from contracts.exchange import REDACTED
from simulators.matching import Difference, Located, call_fields, differences, locate, nearest_operations

TCCS = load_contract("tccs")
IMT = load_contract("imt")
SAPIENS = load_contract("sapiens")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _tccs(path: str, content: str, key: str = "sandbox") -> Located:
    return locate(TCCS, "POST", path, {}, FORM, f"consumerGUID=SANDBOX&entryKey={key}&contentInfo={content}".encode())


def test_locate_finds_host_and_own_path_behind_any_prefix() -> None:
    for prefix in ("", "/tccs", "/qa/tccs"):
        found = locate(TCCS, "POST", f"{prefix}/invoicecloudapi/api/Pay_Input")
        assert (found.request.host, found.request.path, found.operation) == ("invoicecloudapi", "/api/Pay_Input", "Pay_Input")
    found = locate(IMT, "GET", "/imt/billing/api/v2/accounts/ACCT0001/", {"customer_username": "pat"})
    assert found.operation == "rtdr_v2" and found.request.host == "billing"
    assert found.match is not None and found.match.path_params == {"account_number": "ACCT0001"}


def test_locate_without_an_operation_still_splits_at_a_partner_host() -> None:
    found = locate(TCCS, "POST", "/tccs/invoicecloudapi/api/Nope")
    assert (found.request.host, found.request.path, found.match) == ("invoicecloudapi", "/api/Nope", None)
    assert nearest_operations(TCCS, found.request)[0].operation.name in ("Pay_Input", "Paperless_Bill", "Recurring_Pay")
    typo = locate(TCCS, "POST", "/invoicecloudapi/api/Pay_Inptu")
    assert nearest_operations(TCCS, typo.request)[0].operation.name == "Pay_Input"


def test_the_same_call_has_no_difference_whatever_the_case_of_a_tccs_path() -> None:
    assert differences(_tccs("/api/Pay_Input", "306-12/11/2019|24.00:CC"),
                       _tccs("/x/invoicecloudapi/API/pay_input", "306-12/11/2019|24.00:CC")) == []


def test_differences_name_the_fields_in_the_partners_terms() -> None:
    got = differences(_tccs("/api/Pay_Input", "306-12/11/2019|24.00:CC"),
                      _tccs("/api/Pay_Input", "306-12/11/2019|25.00:CC"))
    assert got == [Difference("form contentInfo", "306-12/11/2019|24.00:CC", "306-12/11/2019|25.00:CC")]
    a = locate(IMT, "GET", "/billing/api/v2/accounts/ACCT0001/", {"customer_username": "pat"})
    b = locate(IMT, "GET", "/billing/api/v2/accounts/ACCT0002/", {"customer_username": "sam"})
    assert differences(a, b) == [Difference("path account_number", "ACCT0001", "ACCT0002"),
                                 Difference("query customer_username", "pat", "sam")]
    c = locate(IMT, "GET", "/billing/api/v1/accounts/ACCT0001/")
    assert [d.field for d in differences(a, c)] == ["operation"]


def test_a_redacted_recorded_value_matches_anything_in_its_place() -> None:
    recorded = _tccs("/api/Pay_Input", f"Q1-03/01/2019|{REDACTED}|50.00", key=REDACTED)
    assert differences(recorded, _tccs("/api/Pay_Input", "Q1-03/01/2019|Pat Example|50.00", key="s3cret")) == []
    assert [d.field for d in differences(recorded, _tccs("/api/Pay_Input", "Q1-03/01/2019|Pat|51.00"))] == [
        "form contentInfo"]


def test_json_fields_are_pointers_and_volatile_soap_fields_are_ignored() -> None:
    body = b'{"data": {"type": "Payment", "attributes": {"payment_amount": 100, "tags": []}}}'
    located = locate(IMT, "POST", "/billing/api/v1/accounts/A/payments/P/post/", {}, {"Content-Type": "application/vnd.api+json"}, body)
    fields = call_fields(located)
    assert fields["/data/attributes/payment_amount"] == "100" and fields["/data/attributes/tags"] == "[]"
    envelope = ('<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><r><TransRef>{ref}</TransRef>'
                "<ActionCode>createRemitACHPmt</ActionCode><Data><![CDATA[<remitBatch><remit><amount>{amount}</amount>"
                "</remit><remit><amount>1</amount></remit></remitBatch>]]></Data></r></s:Body></s:Envelope>")
    path = "/AdaptikBilling/soapservices/PWBillingService"
    xml = {"Content-Type": "text/xml"}
    one = locate(SAPIENS, "POST", path, {}, xml, envelope.format(ref="a-1", amount="5").encode())
    two = locate(SAPIENS, "POST", path, {}, xml, envelope.format(ref="b-2", amount="6").encode())
    assert "envelope /Envelope/Body/r/ActionCode" in call_fields(one)
    assert differences(one, two) == [Difference("payload /remitBatch/remit[1]/amount", "5", "6")]
