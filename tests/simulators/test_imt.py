"""The IMT simulator against design 000: shapes, state, authentication and hostile input."""

from __future__ import annotations

import io
import json

import jwt
import pypdf
import pytest
import requests

from contracts import Exchange, load_contract
from simulators import ServerThread
from tests.conftest import IMT_MEDIA, Imt, journal


def test_token_is_wrapped_in_data_and_is_a_signed_jwt(imt: Imt) -> None:
    r = imt.token()
    assert r.status_code == 200 and r.headers["Content-Type"] == IMT_MEDIA
    data = r.json()["data"]
    assert data["type"] == "Token" and data["attributes"]["two_factor_required"] is False
    header, payload, signature = data["attributes"]["auth"].split(".")
    assert header and payload and signature


def test_wrong_password_is_refused(imt: Imt) -> None:
    r = imt.token(password="nope")
    assert r.status_code == 401 and r.json()["errors"][0]["code"] == "authentication_failed"


# A well-formed token signed with someone else's key, for the right issuer and not expired.
FORGED = jwt.encode({"iss": "imt-users", "sub": "sandbox", "exp": 4102444800}, "someone-else-s-key-of-32-bytes!!", algorithm="HS256")


@pytest.mark.parametrize("header", [None, "", "not-a-jwt", "Bearer not-a-jwt", FORGED, f"Bearer {FORGED}"])
def test_billing_without_a_valid_token_is_401(live: ServerThread, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    r = requests.get(f"{live.url}/imt/billing/api/v2/accounts/ACCT0001/", headers=headers)
    assert r.status_code == 401
    assert r.json()["errors"][0]["status"] == "401"


def test_bare_and_bearer_tokens_are_both_accepted(imt: Imt) -> None:
    token = imt.auth["Authorization"]
    assert imt.get("/api/v2/accounts/ACCT0001/", headers={"Authorization": token}).status_code == 200
    assert imt.get("/api/v2/accounts/ACCT0001/", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_token_expires_on_the_sandbox_clock(imt: Imt, live: ServerThread) -> None:
    assert imt.rtdr().status_code == 200
    requests.post(f"{live.url}/__admin/clock", json={"advance": 3601})
    r = imt.rtdr()
    assert r.status_code == 401 and "expired" in r.json()["errors"][0]["detail"]


def test_rtdr_v1_and_v2_answer_from_the_ledger(imt: Imt) -> None:
    v1 = imt.rtdr(version=1).json()
    v2 = imt.rtdr(version=2).json()
    assert "data" not in v1 and "data" not in v2  # type and attributes at the top level
    a1, a2 = v1["attributes"], v2["attributes"]
    (total,) = [c for c in a1["raw_data"]["receivableCategories"] if c["receivableCategoryCode"] == "TOTAL"]
    assert (total["billBalanceAmount"], total["currentBalance"]) == (412.5, 312.5)
    assert (a1["balance"], a1["past_due"]) == (1250.0, 100.0)
    assert (a2["balance"], a2["bill_balance"], a2["current_due"], a2["past_due"]) == (1250.0, 412.5, 312.5, 100.0)
    assert a2["due_date"] == "2026-11-21" and "raw_data" not in a2


def test_unknown_account_is_404_in_json_api_form(imt: Imt) -> None:
    r = imt.rtdr("NOPE")
    assert r.status_code == 404 and r.json()["errors"][0]["code"] == "not_found"


def test_payment_lowers_the_balance_past_due_first_and_is_idempotent(imt: Imt) -> None:
    r = imt.pay("PAY-1", 150.00)
    assert r.status_code == 200 and r.json() == {"type": "Payment", "attributes": {"payment_id": "PAY-1"}}
    after = imt.rtdr().json()["attributes"]
    assert (after["balance"], after["bill_balance"], after["past_due"], after["current_due"]) == (1100.0, 262.5, 0.0, 262.5)
    again = imt.pay("PAY-1", 150.00)
    assert again.status_code == 200 and again.json() == r.json()
    assert imt.rtdr().json()["attributes"]["balance"] == 1100.0


def test_balance_forward_payment_goes_to_the_invoice_carrying_the_balance(imt: Imt, live: ServerThread) -> None:
    imt.pay("PAY-OLD", 50, invoice_number="DIRINV-2026-10-01-ACCT0001-1")
    state = requests.get(f"{live.url}/__admin/state", params={"partner": "imt"}).json()["imt"]["accounts"][0]
    paid = {i["invoice_number"]: i["paid"] for i in state["invoices"]}
    assert paid == {"DIRINV-2026-10-01-ACCT0001-1": "0.00", "DIRINV-2026-11-01-ACCT0001-1": "50.00"}


def test_credit_restores_the_balance_and_keeps_the_reason(imt: Imt, live: ServerThread) -> None:
    imt.pay("PAY-2", 200)
    r = imt.credit("PAY-2", "200.00", reason="CC1")
    assert r.status_code == 200 and r.json()["attributes"]["payment_id"] == "PAY-2"
    assert imt.rtdr().json()["attributes"]["balance"] == 1250.0
    state = requests.get(f"{live.url}/__admin/state", params={"partner": "imt"}).json()["imt"]["accounts"][0]
    (payment,) = state["payments"]
    assert payment["status"] == "reversed" and payment["credits"] == [{"amount": "200.00", "reason": "CC1"}]


def test_credits_never_exceed_the_payment_minus_earlier_credits(imt: Imt) -> None:
    imt.pay("PAY-3", 100)
    assert imt.credit("PAY-3", "60", reason="R01").status_code == 200
    r = imt.credit("PAY-3", "40.01", reason="R01")
    assert r.status_code == 400
    assert r.json()["errors"][0]["source"] == {"pointer": "/data/attributes/credit_amount"}
    assert imt.credit("PAY-3", "40", reason="R01").status_code == 200


@pytest.mark.parametrize("amount", ["-5", "-", "0", "1e3", "abc"])
def test_credit_amounts_must_be_positive_plain_numbers(imt: Imt, amount: str) -> None:
    imt.pay("PAY-4", 100)
    r = imt.credit("PAY-4", amount)
    assert r.status_code == 400
    assert r.json()["errors"][0]["source"]["pointer"] == "/data/attributes/credit_amount"


def test_credit_without_a_payment_is_404(imt: Imt) -> None:
    r = imt.credit("NEVER-PAID", "10.00")
    assert r.status_code == 404 and "NEVER-PAID" in r.json()["errors"][0]["detail"]


@pytest.mark.parametrize("kind,value,autopay,paperless", [
    ("autopay", "EFT", "EFT", False), ("autopay", "CREDIT_CARD", "CREDIT_CARD", False),
    ("autopay", "CHECK", "CHECK", False), ("paperless", "True", "CHECK", True), ("paperless", "False", "CHECK", False)])
def test_settings_are_stored_and_answered(imt: Imt, kind: str, value: str, autopay: str, paperless: bool) -> None:
    r = imt.post("/api/v1/accounts/ACCT0001/", {"data": {"type": "Account", "attributes": {
        "setting_type": kind, "new_value": value, "customer_username": "pat"}}})
    assert r.status_code == 200
    assert r.json() == {"type": "Account", "attributes": {"account_number": "ACCT0001", "autopay": autopay,
                                                          "paperless": paperless}}
    if kind == "autopay":
        assert imt.rtdr().json()["attributes"]["payment_method"] == value


@pytest.mark.parametrize("kind,value", [("autopay", "BITCOIN"), ("paperless", "yes"), ("autopay", "True"), ("email", "x")])
def test_bad_settings_are_rejected_with_a_pointer(imt: Imt, kind: str, value: str) -> None:
    r = imt.post("/api/v1/accounts/ACCT0001/", {"data": {"type": "Account", "attributes": {
        "setting_type": kind, "new_value": value}}})
    assert r.status_code == 400
    assert r.json()["errors"][0]["source"]["pointer"].startswith("/data/attributes/")


def test_bill_is_a_real_pdf_showing_account_and_date(imt: Imt) -> None:
    r = imt.get("/api/v1/accounts/ACCT0001/invoices/", params={"document_date": "2026-11-01"})
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf"
    text = pypdf.PdfReader(io.BytesIO(r.content)).pages[0].extract_text()
    assert "ACCT0001" in text and "2026-11-01" in text


@pytest.mark.parametrize("params,status", [({"document_date": "2020-01-01"}, 404), ({"document_date": "bad"}, 400), ({}, 400)])
def test_bill_for_an_unknown_or_bad_date(imt: Imt, params: dict[str, str], status: int) -> None:
    r = imt.get("/api/v1/accounts/ACCT0001/invoices/", params=params)
    assert r.status_code == status and r.json()["errors"]


HOSTILE = [
    ("bad json", b"{not json", IMT_MEDIA, 400),
    ("empty body", b"", IMT_MEDIA, 400),
    ("json list", b"[1, 2]", IMT_MEDIA, 400),
    ("wrong media type", b'{"data": {}}', "text/plain", 415),
    ("not utf-8", b"\xff\xfe\x00garbage", IMT_MEDIA, 400),
    ("NaN amount", b'{"data": {"type": "Payment", "attributes": {"invoice_number": "I", "payment_amount": NaN, '
                   b'"payment_date": "2026-11-20", "payment_method": "EFT"}}}', IMT_MEDIA, 400),
    ("huge amount", b'{"data": {"type": "Payment", "attributes": {"invoice_number": "I", "payment_amount": 1e300, '
                    b'"payment_date": "2026-11-20", "payment_method": "EFT"}}}', IMT_MEDIA, 400),
    ("deep nesting", b'{"data": ' + b"[" * 5000 + b"]" * 5000 + b"}", IMT_MEDIA, 400),
    ("too large", b'{"pad": "' + b"x" * (1 << 21) + b'"}', IMT_MEDIA, 413),
]


@pytest.mark.parametrize("name,body,media,status", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_payment_bodies_get_the_partners_answer_never_a_500(
        imt: Imt, live: ServerThread, name: str, body: bytes, media: str, status: int) -> None:
    r = imt.post("/api/v1/accounts/ACCT0001/payments/HOSTILE/post/", raw=body, headers={"Content-Type": media})
    assert r.status_code == status, r.text[:300]
    assert r.json()["errors"][0]["status"] == str(status)
    (entry,) = journal(live, operation="imt.post_payment")
    assert entry["response"]["status"] == status
    assert entry.get("violations") or "rejected" in entry.get("notes", ""), "the journal records why"
    assert imt.rtdr().json()["attributes"]["balance"] == 1250.0  # nothing posted


def test_unknown_paths_and_methods_answer_in_json_api_form(imt: Imt, live: ServerThread) -> None:
    r = imt.get("/api/v1/accounts/ACCT0001/invoice/")
    assert r.status_code == 404 and "Nearest operations" in r.json()["errors"][0]["detail"]
    r = requests.delete(f"{live.url}/imt/billing/api/v1/accounts/ACCT0001/", headers=imt.auth)
    assert r.status_code == 405 and r.json()["errors"][0]["code"] == "method_not_allowed"
    r = requests.get(f"{live.url}/nopartner/x")
    assert r.status_code == 404 and "imt" in r.json()["partners"]


def test_journal_records_every_exchange_with_its_verdict(imt: Imt, live: ServerThread) -> None:
    imt.pay("PAY-J", 10)
    entries = journal(live, partner="imt")
    assert [e["operation"] for e in entries] == ["token", "post_payment"]
    payment = Exchange.from_dict(entries[-1])
    assert payment.request.host == "billing"
    assert payment.request.path == "/api/v1/accounts/ACCT0001/payments/PAY-J/post/"
    assert payment.request.headers["Authorization"] == "<REDACTED>"
    assert payment.violations == []
    token = Exchange.from_dict(entries[0])
    assert b"<REDACTED>" in token.request.body and b"sandbox" not in token.request.body


def _fill(exchange: Exchange, imt: Imt) -> tuple[str, dict[str, str], bytes]:
    """The design's request as written, with its placeholders replaced by the sandbox credentials."""
    body = exchange.request.body.replace(b"<USERNAME>", b"sandbox").replace(b"<PASSWORD>", b"sandbox")
    headers = {k: (imt.auth["Authorization"] if v == "<JWT>" else v) for k, v in exchange.request.headers.items()}
    return f"{imt.base}/{exchange.request.host}{exchange.request.path}", headers, body


def test_every_design_example_sent_as_written_gets_an_answer_of_the_documented_shape(imt: Imt) -> None:
    contract = load_contract("imt")
    for exchange in contract.exchanges:
        url, headers, body = _fill(exchange, imt)
        r = requests.request(exchange.request.method, url, params=exchange.request.query, headers=headers, data=body)
        assert r.status_code < 500, exchange.id
        received = Exchange(partner="imt", request=exchange.request, response=None)
        from contracts import Response

        received.response = Response(r.status_code, dict(r.headers), r.content)
        assert contract.check_exchange(received) == [], exchange.id
        if exchange.operation != "post_credit":  # the design's credit sample credits 0: refused
            assert r.status_code == exchange.response.status, (exchange.id, r.text[:200])  # type: ignore[union-attr]
    assert json.loads(imt.credit("5f0c7f43-5c51-4d7c-9a55-2a6c3c1f0001", "0").content)["errors"]
