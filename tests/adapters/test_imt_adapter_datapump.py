"""Data pump: payment, credit, autopay and paperless (design 000 §Data Pump)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from adapters import (
    AdapterConfigError, AdapterInputError, ContractViolation, Credit, CreditKind, ImtAdapter, PartnerRejected,
    Payment, PaymentMethod,
)
from tests.adapters.fake_imt import BILLING, SETTINGS, Answer, FakePartner, errors, invoice, make_settings

PAYMENT_ID = "5f0c7f43-5c51-4d7c-9a55-2a6c3c1f0001"
POST = rf"/payments/{PAYMENT_ID}/post/$"
CREDIT = rf"/payments/{PAYMENT_ID}/credit/$"
ACCOUNT = r"/api/v1/accounts/ACCT0001/$"


def echo(payment_id: str = PAYMENT_ID) -> Answer:
    return Answer(json={"type": "Payment", "attributes": {"payment_id": payment_id}})


def settings_answer(autopay: str = "CHECK", paperless: bool = False) -> Answer:
    return Answer(json={"type": "Account", "attributes": {
        "account_number": "ACCT0001", "autopay": autopay, "paperless": paperless}})


def payment(**overrides: Any) -> Payment:
    fields: dict[str, Any] = {
        "payment_id": PAYMENT_ID,
        "invoice": invoice("DIRINV-2024-07-12-ACCT0001-1", c1="AG01", c7="INVOICECLOUDPOLICY"),
        "amount": Decimal("25.10"),
        "paid_on": date(2024, 7, 20),
        "method": PaymentMethod.CARD,
        "payer_email": "pat.payer@example.test",
        "source": "Web",
    }
    fields.update(overrides)
    return Payment(**fields)


def sent_json(fake: FakePartner) -> Any:
    return json.loads(fake.billing_requests()[-1].body or b"")


# -- payment ------------------------------------------------------------------------------------
def test_payment_request_shape(adapter: ImtAdapter, fake: FakePartner) -> None:
    fake.on("POST", POST, echo())
    result = adapter.post_payment(payment(service_fee=Decimal("2.95")))
    sent = fake.billing_requests()[-1]
    assert urlsplit(sent.url or "").path == f"/imt/billing/api/v1/accounts/ACCT0001/payments/{PAYMENT_ID}/post/"
    assert sent.headers["Content-Type"] == "application/vnd.api+json"
    assert sent.headers["Authorization"] == "jwt-1"
    assert json.loads(sent.body or b"") == {"data": {"type": "Payment", "attributes": {
        "invoice_agency": "AG01",
        "invoice_number": "DIRINV-2024-07-12-ACCT0001-1",
        "payment_amount": 25.1,  # a number, and the service fee is not in it
        "payment_date": "2024-07-20",
        "payment_username": "pat.payer",
        "payment_method": "CREDIT_CARD",
        "policy_number": "INVOICECLOUDPOLICY",
        "payment_channel": "Web",
    }}}
    assert b'"payment_amount":25.1,' in (sent.body or b"")
    assert (result.payment_id, result.account_number, result.invoice_number) == (
        PAYMENT_ID, "ACCT0001", "DIRINV-2024-07-12-ACCT0001-1")
    exchange = adapter.exchanges[-1]
    assert (exchange.operation, exchange.request.host) == ("post_payment", "billing")
    assert exchange.request.path == f"/api/v1/accounts/ACCT0001/payments/{PAYMENT_ID}/post/"


@pytest.mark.parametrize(("method", "sent"), [
    ("card", "CREDIT_CARD"), ("ach", "EFT"), ("echeck", "EFT"), ("obd", "EFT"), ("bank", "EFT"),
])
def test_payment_method_mapping(adapter: ImtAdapter, fake: FakePartner, method: str, sent: str) -> None:
    fake.on("POST", POST, echo())
    adapter.post_payment(payment(method=PaymentMethod.parse(method)))
    assert sent_json(fake)["data"]["attributes"]["payment_method"] == sent


def test_payment_method_error_lists_the_valid_values() -> None:
    with pytest.raises(AdapterInputError, match="card, ach, echeck, obd, bank"):
        PaymentMethod.parse("cash")


def test_optional_payment_fields_are_left_out(adapter: ImtAdapter, fake: FakePartner) -> None:
    fake.on("POST", POST, echo())
    adapter.post_payment(payment(invoice=invoice(), payer_email="", source=""))
    attributes = sent_json(fake)["data"]["attributes"]
    assert set(attributes) == {"invoice_number", "payment_amount", "payment_date", "payment_method"}


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5"), Decimal("1.005")])
def test_payment_amount_must_be_positive_cents(amount: Decimal) -> None:
    with pytest.raises(AdapterInputError):
        payment(amount=amount)


def test_rejected_payment_carries_detail_and_pointer(adapter: ImtAdapter, fake: FakePartner) -> None:
    fake.on("POST", POST, errors(400, "Invoice not found on account", "/data/attributes/invoice_number", "invalid"))
    with pytest.raises(PartnerRejected) as caught:
        adapter.post_payment(payment())
    err = caught.value
    assert (err.status, err.code, err.detail, err.pointer) == (
        400, "invalid", "Invoice not found on account", "/data/attributes/invoice_number")
    assert "/data/attributes/invoice_number" in str(err) and "HTTP 400" in str(err)
    assert err.exchange is adapter.exchanges[-1]


def test_conflicting_repost_is_rejected(adapter: ImtAdapter, fake: FakePartner) -> None:
    fake.on("POST", POST, errors(409, "payment_id already posted with another amount", code="conflict"))
    with pytest.raises(PartnerRejected) as caught:
        adapter.post_payment(payment())
    assert (caught.value.status, caught.value.code) == (409, "conflict")


def test_echo_of_another_payment_is_a_violation(adapter: ImtAdapter, fake: FakePartner) -> None:
    fake.on("POST", POST, echo("another-payment"))
    with pytest.raises(ContractViolation, match="another-payment"):
        adapter.post_payment(payment())


def test_malformed_answer_is_a_contract_violation(adapter: ImtAdapter, fake: FakePartner) -> None:
    fake.on("POST", POST, Answer(body=b"<html>OK</html>", headers={"Content-Type": "text/html"}))
    with pytest.raises(ContractViolation) as caught:
        adapter.post_payment(payment())
    assert caught.value.violations and caught.value.exchange is adapter.exchanges[-1]


# -- credit -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("kind", "code", "reason"), [
    (CreditKind.CHARGEBACK, "", "CC1"),
    (CreditKind.VOID, "", "CC2"),
    (CreditKind.REFUND, "", "CC2"),
    (CreditKind.CREDIT, "", "CC2"),
    (CreditKind.ACH_REJECT, "r01", "R01"),
])
def test_credit_request_shape(adapter: ImtAdapter, fake: FakePartner, kind: CreditKind, code: str, reason: str) -> None:
    fake.on("POST", CREDIT, echo())
    result = adapter.post_credit(Credit(PAYMENT_ID, "ACCT0001", Decimal("25"), kind, code, "pat@example.test"))
    sent = fake.billing_requests()[-1]
    assert urlsplit(sent.url or "").path == f"/imt/billing/api/v1/accounts/ACCT0001/payments/{PAYMENT_ID}/credit/"
    assert sent.headers["Content-Type"] == "application/vnd.api+json"
    assert json.loads(sent.body or b"") == {"data": {"type": "PaymentCredit", "attributes": {
        "credit_reason": reason, "credit_username": "pat", "credit_amount": "25.00"}}}
    assert (result.posted, result.reason_code, result.payment_id) == (True, reason, PAYMENT_ID)
    assert adapter.exchanges[-1].operation == "post_credit"


@pytest.mark.parametrize("code", ["C01", "C05", "c13"])
def test_c_code_rejects_are_not_sent(adapter: ImtAdapter, fake: FakePartner, code: str) -> None:
    result = adapter.post_credit(Credit(PAYMENT_ID, "ACCT0001", Decimal("25"), CreditKind.ACH_REJECT, code))
    assert result.posted is False
    assert result.reason_code == code.upper()
    assert "C-code" in result.skipped_because
    assert fake.received == [] and adapter.exchanges == []


def test_chargeback_code_is_not_an_ach_reject_code(adapter: ImtAdapter) -> None:
    with pytest.raises(AdapterInputError, match="chargeback"):
        adapter.post_credit(Credit(PAYMENT_ID, "ACCT0001", Decimal("25"), CreditKind.ACH_REJECT, "CC1"))


@pytest.mark.parametrize("amount", [Decimal("-25"), Decimal("0")])
def test_credit_amount_is_positive_only(amount: Decimal) -> None:
    with pytest.raises(AdapterInputError, match="greater than 0"):
        Credit(PAYMENT_ID, "ACCT0001", amount, CreditKind.REFUND)


def test_credit_kinds_and_codes_go_together() -> None:
    with pytest.raises(AdapterInputError, match="reject_code"):
        Credit(PAYMENT_ID, "ACCT0001", Decimal("1"), CreditKind.ACH_REJECT)
    with pytest.raises(AdapterInputError, match="no reject_code"):
        Credit(PAYMENT_ID, "ACCT0001", Decimal("1"), CreditKind.VOID, "R01")


def test_credit_without_email_has_no_username(adapter: ImtAdapter, fake: FakePartner) -> None:
    fake.on("POST", CREDIT, echo())
    adapter.post_credit(Credit(PAYMENT_ID, "ACCT0001", Decimal("0.50"), CreditKind.VOID))
    assert sent_json(fake)["data"]["attributes"] == {"credit_reason": "CC2", "credit_amount": "0.50"}


def test_credit_url_needs_a_payments_url_ending_in_post(session: requests.Session) -> None:
    settings = {**SETTINGS, 11: BILLING + "/api/v1/accounts/{account_number}/payments/{payment_id}/"}
    adapter = ImtAdapter(make_settings(settings), session)
    with pytest.raises(AdapterConfigError, match=r"setting 11 .*/post/"):
        adapter.post_credit(Credit(PAYMENT_ID, "ACCT0001", Decimal("1"), CreditKind.VOID))


# -- autopay and paperless ----------------------------------------------------------------------
@pytest.mark.parametrize(("method", "value"), [
    (PaymentMethod.CARD, "CREDIT_CARD"), (PaymentMethod.ACH, "EFT"), (PaymentMethod.OBD, "EFT"), (None, "CHECK"),
])
def test_autopay_request_shape(adapter: ImtAdapter, fake: FakePartner, method: PaymentMethod | None, value: str) -> None:
    fake.on("POST", ACCOUNT, settings_answer(autopay=value, paperless=True))
    result = adapter.set_autopay("ACCT0001", method, "pat@example.test")
    sent = fake.billing_requests()[-1]
    assert urlsplit(sent.url or "").path == "/imt/billing/api/v1/accounts/ACCT0001/"
    assert sent.headers["Content-Type"] == "application/vnd.api+json"
    assert json.loads(sent.body or b"") == {"data": {"type": "Account", "attributes": {
        "setting_type": "autopay", "new_value": value, "customer_username": "pat"}}}
    assert (result.account_number, result.autopay, result.paperless) == ("ACCT0001", value, True)
    assert adapter.exchanges[-1].operation == "update_settings"


@pytest.mark.parametrize(("enabled", "value"), [(True, "True"), (False, "False")])
def test_paperless_request_shape(adapter: ImtAdapter, fake: FakePartner, enabled: bool, value: str) -> None:
    fake.on("POST", ACCOUNT, settings_answer(paperless=enabled))
    result = adapter.set_paperless("ACCT0001", enabled, "pat@example.test")
    assert sent_json(fake) == {"data": {"type": "Account", "attributes": {
        "setting_type": "paperless", "new_value": value, "customer_username": "pat"}}}
    assert result.paperless is enabled


def test_settings_without_email_have_no_customer_username(adapter: ImtAdapter, fake: FakePartner) -> None:
    fake.on("POST", ACCOUNT, settings_answer(paperless=True))
    adapter.set_paperless("ACCT0001", True, None)
    assert "customer_username" not in sent_json(fake)["data"]["attributes"]


def test_settings_answer_that_ignores_the_change_is_a_violation(adapter: ImtAdapter, fake: FakePartner) -> None:
    fake.on("POST", ACCOUNT, settings_answer(autopay="EFT"))
    with pytest.raises(ContractViolation, match="the value just set"):
        adapter.set_autopay("ACCT0001", None, "pat@example.test")


def test_paperless_as_a_string_is_a_violation(session: requests.Session, fake: FakePartner) -> None:
    fake.on("POST", ACCOUNT, Answer(json={"type": "Account", "attributes": {
        "account_number": "ACCT0001", "autopay": "CHECK", "paperless": "false"}}))
    with pytest.raises(ContractViolation) as caught:
        ImtAdapter(make_settings(strict_contract=False), session).set_paperless("ACCT0001", False)
    assert [v.location for v in caught.value.violations] == ["response body /attributes/paperless"]
