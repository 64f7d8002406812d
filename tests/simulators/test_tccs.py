"""The TCCS simulator against design 002: the samples as recorded, credentials, balances, duplicates, NSF,
flags, the bill, and the error answer."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pypdf
import pytest
import requests
from werkzeug.test import Client

from contracts import Exchange, Response, load_contract, load_exchanges
from contracts.tccs import HERE
from simulators import Sandbox, SandboxConfig, ServerThread
from simulators.tccs import TccsSimulator
from tests.conftest import journal

FORM = "application/x-www-form-urlencoded"
GUID = "e99fc166-9d990-4a99-bb16-99fe155ebf99"
RTDR_INVOICE = "454100010-06/16/2020"
NSF_INVOICE = "454100010-03/01/2019"


class Tccs:
    """A raw HTTP client of the TCCS sandbox: form posts as the design writes them."""

    def __init__(self, live: ServerThread) -> None:
        self.live = live
        self.base = f"{live.url}/tccs/invoicecloudapi"
        self.http = requests.Session()

    def call(self, path: str, content: str | None, *, guid: str | None = "SANDBOX", key: str | None = "sandbox",
             **kw: Any) -> requests.Response:
        form = {name: value for name, value in (("consumerGUID", guid), ("entryKey", key), ("contentInfo", content))
                if value is not None}
        return self.http.post(self.base + path, data=form, **kw)

    def balance(self, invoice: str) -> tuple[str, str]:
        r = self.call("/api/ARState_Output", invoice)
        assert r.status_code == 200, r.text
        return r.json()["RecordBal"], r.json()["TotalBalance"]

    def pay(self, content: str) -> requests.Response:
        return self.call("/api/Pay_Input", content)

    def nsf(self, content: str) -> requests.Response:
        return self.call("/api/Insufficient_Pay_Report", content)

    def state(self) -> dict[str, dict[str, Any]]:
        accounts = requests.get(f"{self.live.url}/__admin/state", params={"partner": "tccs"}).json()["tccs"]["accounts"]
        return {a["account_number"]: a for a in accounts}

    def today(self) -> str:
        from datetime import UTC, datetime

        now = requests.get(f"{self.live.url}/__admin/clock").json()["now"]
        return datetime.fromtimestamp(now, UTC).strftime("%m/%d/%Y")


@pytest.fixture
def tccs(live: ServerThread) -> Tccs:
    return Tccs(live)


def _error(r: requests.Response, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"
    body: dict[str, Any] = r.json()
    assert body["Status"] == "Error" and body["ErrorCode"] == code and body["Message"], body
    assert body.get("Field") == field, body
    return body


# -- the design's samples, as recorded -------------------------------------------------------------
@pytest.mark.parametrize("path", sorted((HERE / "exchanges").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_recorded_request_sent_as_written_gets_the_recorded_answer(live: ServerThread, path: Path) -> None:
    """Each file's requests in order on the demo data, placeholders replaced by the sandbox credentials."""
    contract = load_contract("tccs")
    for recorded in load_exchanges(path):
        request = recorded.request
        body = request.body.replace(b"<CONSUMER_GUID>", b"SANDBOX").replace(b"<ENTRY_KEY>", b"sandbox")
        r = requests.post(f"{live.url}/tccs/{request.host}{request.path}", data=body, headers=request.headers)
        assert recorded.response is not None
        assert r.status_code == recorded.response.status, r.text
        assert r.headers["Content-Type"] == recorded.response.header("Content-Type")
        if r.headers["Content-Type"] == "application/pdf":
            assert r.content.startswith(b"%PDF-") and recorded.response.body.startswith(b"%PDF-")
        else:
            assert r.json() == recorded.response.json(), recorded.id
        answer = Response(r.status_code, dict(r.headers), r.content)
        assert contract.check_response(request, answer) == [], recorded.id


def test_the_journal_finds_the_sandbox_s_answers_conformant_and_keeps_no_credential(tccs: Tccs, live: ServerThread) -> None:
    tccs.pay(f"306-12/11/2019|24.00:CC@{GUID}")
    (entry,) = journal(live, operation="tccs.Pay_Input")
    exchange = Exchange.from_dict(entry)
    assert exchange.violations == [] and exchange.request.host == "invoicecloudapi"
    assert b"entryKey=%3CREDACTED%3E" in exchange.request.body and b"sandbox" not in exchange.request.body


# -- credentials first ---------------------------------------------------------------------------
@pytest.mark.parametrize("guid,key", [("WRONG", "sandbox"), ("SANDBOX", "wrong"), (None, "sandbox"), ("SANDBOX", None),
                                      ("sandbox", "sandbox"), ("", ""), (None, None)])
def test_wrong_or_missing_credentials_are_401(tccs: Tccs, guid: str | None, key: str | None) -> None:
    _error(tccs.call("/api/ARState_Output", RTDR_INVOICE, guid=guid, key=key), 401, "AUTHENTICATION_FAILED")


def test_credentials_are_checked_before_the_content(tccs: Tccs) -> None:
    _error(tccs.call("/api/Pay_Input", "garbage", key="wrong"), 401, "AUTHENTICATION_FAILED")
    _error(tccs.call("/api/Pay_Input", None, key="wrong"), 401, "AUTHENTICATION_FAILED")
    assert tccs.balance("306-12/11/2019") == ("150.00", "150.00")  # nothing posted


def test_the_credentials_are_the_configured_ones() -> None:
    from simulators import Credentials

    config = SandboxConfig(credentials=Credentials(tccs_consumer_guid="B1-GUID", tccs_entry_key="k3y"))
    client = Client(Sandbox(":memory:", config, ["tccs"]))
    url = "/tccs/invoicecloudapi/api/ARState_Output"
    ok = client.post(url, data={"consumerGUID": "B1-GUID", "entryKey": "k3y", "contentInfo": RTDR_INVOICE})
    assert ok.status_code == 200
    assert client.post(url, data={"consumerGUID": "SANDBOX", "entryKey": "sandbox", "contentInfo": RTDR_INVOICE}).status_code == 401


# -- the contract --------------------------------------------------------------------------------
@pytest.mark.parametrize("path,content,field", [
    ("/api/Pay_Input", "306-12/11/2019|24,00:CC", "amount"),
    ("/api/Pay_Input", "306-12/11/2019|24.00:VISA", "payment_type"),
    ("/api/Pay_Input", "306-12/11/2019|24.00:CC@not a guid", "payment_guid"),
    ("/api/Pay_Input", "Q3272-12/11/2019||24.00", "insured_name"),
    ("/api/Pay_Input", "306-12/11/2019|99999999999999999.00:CC", "amount"),
    ("/api/ARState_Output", "454100010-02/30/2020", "invoice"),
    ("/api/Insufficient_Pay_Report", f"{NSF_INVOICE} : 06/22/2020 | 25.00 | NSF", "code"),
    ("/api/Paperless_Bill", f"{NSF_INVOICE}:maybe|PB", "flag"),
    ("/api/Recurring_Pay", f"{NSF_INVOICE}:Y", "code"),
    ("/Retrieve_Bill_Image", "", "invoice"),
    ("/api/Pay_Input", None, "contentInfo"),
])
def test_content_that_breaks_the_grammar_is_400_naming_the_field(tccs: Tccs, path: str, content: str | None,
                                                                   field: str) -> None:
    body = _error(tccs.call(path, content), 400, "INVALID_CONTENT", field)
    assert field in body["Message"]
    assert tccs.balance("306-12/11/2019") == ("150.00", "150.00")


def test_the_400_message_says_what_was_expected_and_found(tccs: Tccs) -> None:
    body = _error(tccs.pay("306-12/11/2019|24,00:CC"), 400, "INVALID_CONTENT", "amount")
    assert body["Message"] == "contentInfo amount: expected an amount such as 24.00, found '24,00'"


def test_the_grammar_is_enforced_with_contract_checks_off() -> None:
    client = Client(Sandbox(":memory:", SandboxConfig(check_contracts=False), ["tccs"]))
    url = "/tccs/invoicecloudapi/api/Pay_Input"
    creds = {"consumerGUID": "SANDBOX", "entryKey": "sandbox"}
    r = client.post(url, data={**creds, "contentInfo": "306-12/11/2019|24,00:CC"})
    assert r.status_code == 400 and r.json["Field"] == "amount"
    r = client.post(url, data=creds)
    assert r.status_code == 400 and r.json["Field"] == "contentInfo"


def test_paths_are_matched_without_regard_to_case(tccs: Tccs, live: ServerThread) -> None:
    for path in ("/api/arstate_output", "/API/ARSTATE_OUTPUT", "/api/ARState_Output/"):
        assert tccs.call(path, RTDR_INVOICE).json()["RecordBal"] == "125.00", path
    r = requests.post(f"{live.url}/tccs/InvoiceCloudAPI/api/ARState_Output",
                      data={"consumerGUID": "SANDBOX", "entryKey": "sandbox", "contentInfo": RTDR_INVOICE})
    assert r.status_code == 200
    assert tccs.pay(f"306-12/11/2019|1.00:ACH@{GUID}").status_code == 200
    assert tccs.call("/api/pay_input", f"306-12/11/2019|1.00:ACH@{GUID}").json()["Status"] == "Duplicate"


def test_unknown_paths_methods_and_media_types_answer_in_tccs_form(tccs: Tccs, live: ServerThread) -> None:
    body = _error(tccs.call("/api/Pay_Inputs", "x"), 404, "NOT_FOUND")
    assert "Pay_Input" in body["Message"]
    _error(tccs.call("/Pay_Input", "x"), 404, "NOT_FOUND")
    _error(requests.post(f"{live.url}/tccs/elsewhere/api/Pay_Input"), 404, "NOT_FOUND")
    _error(requests.get(f"{tccs.base}/api/ARState_Output"), 405, "METHOD_NOT_ALLOWED")
    _error(requests.request("PURGE", f"{tccs.base}/api/ARState_Output"), 405, "METHOD_NOT_ALLOWED")
    creds = {"consumerGUID": "SANDBOX", "entryKey": "sandbox", "contentInfo": RTDR_INVOICE}
    _error(requests.post(f"{tccs.base}/api/ARState_Output", json=creds), 415, "UNSUPPORTED_MEDIA_TYPE")
    raw = "consumerGUID=SANDBOX&entryKey=sandbox&contentInfo=" + RTDR_INVOICE
    _error(requests.post(f"{tccs.base}/api/ARState_Output", data=raw.encode()), 415, "UNSUPPORTED_MEDIA_TYPE")
    (entry,) = journal(live, operation="tccs.ARState_Output")[-1:]
    assert "sandbox" not in json.dumps(entry["request"]), "the journal scrubs credentials of an unlabelled form"


def test_a_body_over_the_limit_is_413_in_tccs_form(tccs: Tccs) -> None:
    r = tccs.call("/api/Pay_Input", "x" * (1 << 21))
    _error(r, 413, "REQUEST_TOO_LARGE")


def test_error_response_names_any_status() -> None:
    body, media = TccsSimulator().error_response(503, "down for maintenance")
    assert media == "application/json; charset=utf-8"
    assert json.loads(body) == {"Status": "Error", "ErrorCode": "SERVICE_UNAVAILABLE", "Message": "down for maintenance"}
    assert json.loads(TccsSimulator().error_response(500, "x")[0])["ErrorCode"] == "INTERNAL_ERROR"


# -- the ledger ----------------------------------------------------------------------------------
def test_rtdr_answers_the_invoice_s_and_the_policy_s_balance(tccs: Tccs) -> None:
    r = tccs.call("/api/ARState_Output", RTDR_INVOICE)
    assert r.json() == {"Status": "Success", "InvoiceNumber": RTDR_INVOICE, "RecordBal": "125.00", "TotalBalance": "480.00"}
    assert tccs.balance(NSF_INVOICE) == ("355.00", "480.00")
    assert tccs.balance("Q454100010-03/01/2019") == ("200.00", "200.00")


def test_an_unknown_invoice_is_404(tccs: Tccs) -> None:
    for path, content in (("/api/ARState_Output", "454100010-01/01/2030"), ("/api/Pay_Input", "999-12/11/2019|5.00:CC"),
                          ("/api/Paperless_Bill", "999-12/11/2019:Y|PB"), ("/Retrieve_Bill_Image", "999-12/11/2019"),
                          ("/api/Insufficient_Pay_Report", "999-12/11/2019:12/12/2019|5.00|IFR")):
        _error(tccs.call(path, content), 404, "INVOICE_NOT_FOUND", "invoice")


def test_a_payment_lowers_its_invoice_and_the_policy(tccs: Tccs) -> None:
    r = tccs.pay(f"{RTDR_INVOICE}|100.00:ACH")
    assert r.json() == {"Status": "Success", "InvoiceNumber": RTDR_INVOICE, "AmountPaid": "100.00", "PaymentType": "ACH",
                        "ReceiptNumber": "TC000002", "PaymentGUID": None}
    assert tccs.balance(RTDR_INVOICE) == ("25.00", "380.00")
    assert tccs.balance(NSF_INVOICE) == ("355.00", "380.00")  # the other invoice owes what it owed


def test_whitespace_around_separators_is_ignored_and_the_invoice_normalised(tccs: Tccs) -> None:
    r = tccs.pay(" 454100010 - 06/16/2020 | 25 : CC ")
    assert r.json()["InvoiceNumber"] == RTDR_INVOICE and r.json()["AmountPaid"] == "25.00"
    assert tccs.balance(RTDR_INVOICE) == ("100.00", "455.00")


def test_without_a_guid_the_same_payment_posts_twice(tccs: Tccs) -> None:
    """Service version 1 (before INT-6870): TCCS cannot tell a repeat, which is why the GUID was added."""
    first, second = tccs.pay("306-12/11/2019|24.00:CC"), tccs.pay("306-12/11/2019|24.00:CC")
    assert (first.json()["ReceiptNumber"], second.json()["ReceiptNumber"]) == ("TC000002", "TC000003")
    assert tccs.balance("306-12/11/2019") == ("102.00", "102.00")


def test_a_guid_seen_before_is_a_duplicate_and_posts_nothing(tccs: Tccs) -> None:
    first = tccs.pay(f"306-12/11/2019|24.00:CC@{GUID}").json()
    assert first["Status"] == "Success" and first["PaymentGUID"] == GUID
    again = tccs.pay(f"306-12/11/2019|24.00:CC@{GUID}")
    assert again.status_code == 200
    assert again.json() == {"Status": "Duplicate", "InvoiceNumber": "306-12/11/2019", "PaymentGUID": GUID,
                            "ReceiptNumber": first["ReceiptNumber"], "Message": "Payment already received."}
    # The GUID is IC's payment: the same one on another invoice or as a quote deposit is the same payment.
    assert tccs.pay(f"Q3272-12/11/2019|Test Name|24.00@{GUID}").json()["Status"] == "Duplicate"
    assert tccs.balance("306-12/11/2019") == ("126.00", "126.00")
    assert tccs.balance("Q3272-12/11/2019") == ("100.00", "100.00")
    (payment,) = tccs.state()["306"]["payments"]
    assert payment["payment_id"] == GUID and payment["method"] == "CC"


def test_a_quote_deposit_is_recorded_against_the_quote(tccs: Tccs) -> None:
    r = tccs.pay("Q454100010-03/01/2019|Pat Example|50.00")
    assert r.json() == {"Status": "Success", "InvoiceNumber": "Q454100010-03/01/2019", "AmountPaid": "50.00",
                        "InsuredName": "Pat Example", "ReceiptNumber": "TC000002", "PaymentGUID": None}
    assert tccs.balance("Q454100010-03/01/2019") == ("150.00", "150.00")
    assert tccs.balance(RTDR_INVOICE) == ("125.00", "480.00")  # the policy is another account
    (payment,) = tccs.state()["Q454100010"]["payments"]
    assert (payment["invoice_number"], payment["amount"], payment["status"]) == ("Q454100010-03/01/2019", "50.00", "posted")


def test_nsf_reverses_the_matching_payment_and_restores_the_balance(tccs: Tccs) -> None:
    paid = tccs.pay(f"306-12/11/2019|50.00:ACH@{GUID}").json()
    assert tccs.balance("306-12/11/2019") == ("100.00", "100.00")
    r = tccs.nsf(f"306-12/11/2019 : {tccs.today()} | 50.00 | IFR")
    assert r.json() == {"Status": "Success", "InvoiceNumber": "306-12/11/2019", "ReversedAmount": "50.00",
                        "ReceiptNumber": paid["ReceiptNumber"]}
    assert tccs.balance("306-12/11/2019") == ("150.00", "150.00")
    (payment,) = tccs.state()["306"]["payments"]
    assert payment["status"] == "reversed" and payment["credits"] == [{"amount": "50.00", "reason": "IFR"}]
    _error(tccs.nsf(f"306-12/11/2019 : {tccs.today()} | 50.00 | IFR"), 409, "ALREADY_REVERSED", "amount")
    _error(tccs.nsf(f"306-12/11/2019 : {tccs.today()} | 49.99 | IFR"), 404, "PAYMENT_NOT_FOUND", "amount")


def test_the_design_s_nsf_sample_reverses_the_demo_payment(tccs: Tccs) -> None:
    r = tccs.nsf("454100010 -03/01/2019 : 06/22/2020 | 25.00 | IFR")
    assert r.json()["ReversedAmount"] == "25.00" and r.json()["ReceiptNumber"] == "TC000001"
    assert tccs.balance(NSF_INVOICE) == ("380.00", "505.00")


def test_when_several_payments_match_the_date_chooses(tccs: Tccs, live: ServerThread) -> None:
    payments = [{"payment_id": pid, "amount": "30.00", "invoice_number": "306-12/11/2019", "method": "ACH",
                 "paid_on": day, "data": {"receipt": receipt}}
                for pid, day, receipt in (("P-JAN", "2026-01-05", "TC-JAN"), ("P-FEB", "2026-02-05", "TC-FEB"))]
    seed = {"accounts": [{"account_number": "306", "name": "Sam Sample", "billing": "open_item", "payments": payments}]}
    assert requests.post(f"{live.url}/__admin/seed", params={"partner": "tccs"}, json=seed).status_code == 200
    assert tccs.nsf("306-12/11/2019:02/05/2026|30.00|IFR").json()["ReceiptNumber"] == "TC-FEB"
    # No payment of that date left: the oldest that matches.
    assert tccs.nsf("306-12/11/2019:02/05/2026|30.00|IFR").json()["ReceiptNumber"] == "TC-JAN"
    _error(tccs.nsf("306-12/11/2019:02/05/2026|30.00|IFR"), 409, "ALREADY_REVERSED", "amount")


@pytest.mark.parametrize("path,code,key,answer_key", [("/api/Paperless_Bill", "PB", "paperless", "Paperless"),
                                                      ("/api/Recurring_Pay", "R", "recurring", "Recurring")])
def test_paperless_and_recurring_flags_are_stored_on_the_policy(tccs: Tccs, path: str, code: str, key: str,
                                                                answer_key: str) -> None:
    for flag in ("Y", "N", "Y"):
        r = tccs.call(path, f"{NSF_INVOICE}:{flag}|{code}")
        assert r.json() == {"Status": "Success", "InvoiceNumber": NSF_INVOICE, answer_key: flag}
        assert tccs.state()["454100010"]["settings"][key] == flag
    other = "recurring" if key == "paperless" else "paperless"
    assert tccs.state()["454100010"]["settings"][other] == "N"


def test_the_bill_is_a_real_pdf_showing_the_invoice(tccs: Tccs) -> None:
    tccs.pay(f"{RTDR_INVOICE}|25.00:CC")
    r = tccs.call("/Retrieve_Bill_Image", RTDR_INVOICE)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    text = pypdf.PdfReader(io.BytesIO(r.content)).pages[0].extract_text()
    assert RTDR_INVOICE in text and "454100010" in text and "$100.00" in text and "$455.00" in text


def test_the_admin_state_shows_policies_quotes_payments_and_flags(tccs: Tccs) -> None:
    tccs.pay(f"306-12/11/2019|24.00:CC@{GUID}")
    state = tccs.state()
    assert set(state) == {"454100010", "Q454100010", "306", "Q3272"}
    policy = state["454100010"]
    assert policy["billing"] == "open_item" and policy["balance"]["total_due"] == "480.00"
    assert {i["invoice_number"]: i["paid"] for i in policy["invoices"]} == {NSF_INVOICE: "25.00", RTDR_INVOICE: "0.00"}
    assert policy["settings"] == {"paperless": "N", "recurring": "N"}
    assert [p["payment_id"] for p in state["306"]["payments"]] == [GUID]


def test_endpoints_name_every_operation_and_each_answers(tccs: Tccs, live: ServerThread) -> None:
    endpoints = TccsSimulator().endpoints(live.url)
    assert set(endpoints) == {op.name for op in load_contract("tccs").operations()}
    samples = {"ARState_Output": RTDR_INVOICE, "Pay_Input": "306-12/11/2019|1.00:CC",
               "Insufficient_Pay_Report": "306-12/11/2019:01/01/2020|1.00|IFR", "Paperless_Bill": f"{NSF_INVOICE}:Y|PB",
               "Recurring_Pay": f"{NSF_INVOICE}:Y|R", "Retrieve_Bill_Image": RTDR_INVOICE}
    for name, url in endpoints.items():
        r = requests.post(url, data={"consumerGUID": "SANDBOX", "entryKey": "sandbox", "contentInfo": samples[name]})
        assert r.status_code == 200, (name, r.text)
