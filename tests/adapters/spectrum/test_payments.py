"""OnlineReceipt (design 001 §Data Pump: Payments): the field mapping and the three outcomes."""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests

from adapters import (
    AdapterInputError, ContractViolation, PartnerRejected, PaymentMethod, PaymentResult, SpectrumAdapter,
)
from tests.adapters.fake_spectrum import (
    CORE, PAYMENT_ID, Answer, FakeSpectrum, body_of, errors, invoice, json_of, make_settings, payment, receipt,
)


def sent(fake: FakeSpectrum) -> dict[str, object]:
    [body] = fake.bodies(r"/api/OnlineReceipt$")
    assert isinstance(body, dict)
    return body


def test_the_body_maps_every_field_as_the_design_does(adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    fake.on("POST", r"/api/OnlineReceipt$", receipt())
    adapter.post_payment(payment(reference="IC-CONF-0001", message="Thank you"))
    assert sent(fake) == {
        "invoiceNumber": "30254",  # IC InvoiceNumber
        "policyNumber": "30254",  # IC AccountNumber
        "fullName": "Pat Policyholder",  # CustomerName
        "datePaid": "2024-07-15",  # PaymentDate
        "referenceNumber": PAYMENT_ID,  # PaymentGUID
        "amount": 100.0,  # PaymentAmount, without the fee
        "fee": 2.95,  # ConvenienceFee
        "transactionID": "IC-CONF-0001",  # PaymentReference
        "transactionMessage": "Thank you",  # PaymentMessage
        "paymentType": "CreditCard",
        "approved": True,
        "onlineVendor": "InvoiceCloud",  # a static string
    }
    [request] = fake.requests_to(r"/api/OnlineReceipt$")
    assert request.url == f"{CORE}/api/OnlineReceipt"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Authorization"] == f"Bearer {fake.tokens_issued[0]}"


def test_amount_and_fee_are_json_numbers_with_exactly_two_decimals(adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    fake.on("POST", r"/api/OnlineReceipt$", receipt())
    adapter.post_payment(payment(amount=Decimal("100"), service_fee=Decimal("0")))
    raw = body_of(fake.requests_to(r"/api/OnlineReceipt$")[0])
    assert b'"amount":100.00,' in raw and b'"fee":0.00,' in raw


@pytest.mark.parametrize(("method", "expected"), [
    (PaymentMethod.CARD, "CreditCard"), (PaymentMethod.ACH, "ACH"), (PaymentMethod.ECHECK, "ACH"),
    (PaymentMethod.OBD, "ACH"), (PaymentMethod.BANK, "ACH"),
])
def test_cards_are_credit_card_and_every_bank_method_is_ach(
        adapter: SpectrumAdapter, fake: FakeSpectrum, method: PaymentMethod, expected: str) -> None:
    fake.on("POST", r"/api/OnlineReceipt$", receipt())
    adapter.post_payment(payment(method=method))
    assert sent(fake)["paymentType"] == expected


def test_without_a_reference_the_transaction_id_is_the_payment_guid_cut_to_50(
        adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    fake.on("POST", r"/api/OnlineReceipt$", receipt())
    long_id = "x" * 60
    adapter.post_payment(payment(payment_id=long_id))
    body = sent(fake)
    assert body["transactionID"] == "x" * 50 and body["referenceNumber"] == long_id


def test_without_a_message_transaction_message_is_left_out(adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    fake.on("POST", r"/api/OnlineReceipt$", receipt())
    adapter.post_payment(payment())
    assert "transactionMessage" not in sent(fake)


def test_full_name_falls_back_to_the_payer_name_and_none_at_all_sends_nothing(
        adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    fake.on("POST", r"/api/OnlineReceipt$", receipt())
    adapter.post_payment(payment(invoice=invoice(name=""), payer_name="Sam Payer"))
    assert sent(fake)["fullName"] == "Sam Payer"
    with pytest.raises(AdapterInputError, match="fullName"):
        adapter.post_payment(payment(invoice=invoice(name="")))
    assert len(fake.requests_to(r"/api/OnlineReceipt$")) == 1


@pytest.mark.parametrize("outcome", ["applied", "okay"])
def test_applied_and_okay_are_results_carrying_the_receipt_id(
        adapter: SpectrumAdapter, fake: FakeSpectrum, outcome: str) -> None:
    fake.on("POST", r"/api/OnlineReceipt$", receipt(outcome, 4711))
    result = adapter.post_payment(payment())
    assert result == PaymentResult(PAYMENT_ID, "30254", "30254", remittance_id="4711", operation="online_receipt",
                                   outcome=outcome)


def test_success_but_no_data_is_a_rejection_not_applied(adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    fake.on("POST", r"/api/OnlineReceipt$", receipt("Sucess, but no data", 0))
    with pytest.raises(PartnerRejected) as info:
        adapter.post_payment(payment(invoice=invoice("30255", account="30254")))
    error = info.value
    assert (error.code, error.status, error.operation) == ("not_applied", 200, "spectrum.online_receipt")
    assert "policy 30254" in str(error) and "invoice 30255" in str(error)
    assert error.exchange is not None and error.exchange.response is not None


def test_an_answer_with_another_outcome_is_a_contract_violation(session: requests.Session, fake: FakeSpectrum) -> None:
    lenient = SpectrumAdapter(make_settings(strict_contract=False), session)
    fake.on("POST", r"/api/OnlineReceipt$", receipt("queued", 1))
    with pytest.raises(ContractViolation) as info:
        lenient.post_payment(payment())
    assert info.value.violations[0].location == "response body /message"


def test_an_answer_echoing_another_reference_number_is_a_contract_violation(
        adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    fake.on("POST", r"/api/OnlineReceipt$",
            lambda r: Answer(json={**json_of(r), "referenceNumber": "someone-else", "receiptID": 1, "message": "applied"}))
    with pytest.raises(ContractViolation) as info:
        adapter.post_payment(payment())
    assert info.value.violations[0].location == "response body /referenceNumber"


def test_a_refused_body_is_partner_rejected_with_the_pointer(adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    fake.on("POST", r"/api/OnlineReceipt$", errors(400, "amount must be greater than 0", code="invalid_body",
                                                   pointer="/amount"))
    with pytest.raises(PartnerRejected) as info:
        adapter.post_payment(payment())
    assert (info.value.status, info.value.code, info.value.pointer) == (400, "invalid_body", "/amount")


def test_a_401_on_the_receipt_renews_the_token_and_posts_once_more(adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    fake.on("POST", r"/api/OnlineReceipt$", errors(401, "Token has expired."), receipt())
    assert adapter.post_payment(payment()).outcome == "applied"
    assert len(fake.requests_to(r"/api/OnlineReceipt$")) == 2 and len(fake.tokens_issued) == 2
