"""The recorded exchanges (``contracts/spectrum/exchanges``), replayed through the adapter.

For each recorded exchange IC makes, the adapter is called with the values that lead to it: the body it
sends must be the recorded one (compared as JSON, never as raw text), and the recorded answer must give
the result the design describes.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import requests

from adapters import PartnerRejected, PaymentMethod, SettingsResult, SpectrumAdapter
from contracts import Exchange, load_contract
from tests.adapters.fake_spectrum import CORE, SETTINGS, Answer, FakeSpectrum, invoice, make_settings, payment


def recorded(exchange_id: str) -> Exchange:
    found = [e for e in load_contract("spectrum").exchanges if e.id == exchange_id]
    assert found, f"no recorded exchange {exchange_id}"
    return found[0]


def answer_of(exchange: Exchange) -> Answer:
    assert exchange.response is not None
    return Answer(status=exchange.response.status, body=exchange.response.body, headers=dict(exchange.response.headers))


def request_json(exchange: Exchange) -> Any:
    return json.loads(exchange.request.body)


def test_the_token_example_is_what_ic_sends_for_the_design_s_values(session: requests.Session, fake: FakeSpectrum) -> None:
    token = recorded("spectrum-token-design")
    adapter = SpectrumAdapter(make_settings({**SETTINGS, 9: "InvCloud", 10: "<API_TOKEN>|<PASSWORD>"}), session)
    fake.on("POST", r"/api/Token$", answer_of(token))
    fake.on("GET", r"/InvoiceBalanceDue$", answer_of(recorded("spectrum-invoice-balance-due-design")))
    adapter.refresh_balance([invoice()])
    assert fake.bodies(r"/api/Token$") == [request_json(token)]
    assert fake.requests_to(r"/InvoiceBalanceDue$")[0].headers["Authorization"] == "Bearer <JWT>"


def test_the_invoice_balance_due_example_gives_731_37(adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    sample = recorded("spectrum-invoice-balance-due-design")
    fake.on("GET", r"/InvoiceBalanceDue$", answer_of(sample))
    [update] = adapter.refresh_balance([invoice("30254")]).updates
    assert update.balance_due == update.total_amount_due == Decimal("731.37")
    [request] = fake.requests_to(r"/InvoiceBalanceDue$")
    assert request.url == f"{CORE}{sample.request.path}?invoiceNumber={sample.request.query['invoiceNumber']}"


def receipt_payment(body: dict[str, Any]) -> Any:
    """The payment IC would post to produce a recorded OnlineReceipt body."""
    return payment(
        payment_id=body["referenceNumber"],
        invoice=invoice(body["invoiceNumber"], account=body["policyNumber"], name=body["fullName"]),
        amount=Decimal(str(body["amount"])),
        service_fee=Decimal(str(body["fee"])),
        paid_on=date.fromisoformat(body["datePaid"]),
        method=PaymentMethod.CARD if body["paymentType"] == "CreditCard" else PaymentMethod.ACH,
        reference=body["transactionID"],
        message=body["transactionMessage"],
    )


@pytest.mark.parametrize(("exchange_id", "outcome"), [
    ("spectrum-online-receipt-applied", "applied"), ("spectrum-online-receipt-okay", "okay"),
])
def test_the_receipt_examples_are_what_ic_sends_and_give_their_outcome(
        adapter: SpectrumAdapter, fake: FakeSpectrum, exchange_id: str, outcome: str) -> None:
    sample = recorded(exchange_id)
    fake.on("POST", r"/api/OnlineReceipt$", answer_of(sample))
    result = adapter.post_payment(receipt_payment(request_json(sample)))
    assert fake.bodies(r"/api/OnlineReceipt$") == [request_json(sample)]
    assert (result.outcome, result.remittance_id) == (outcome, "70001")


def test_the_no_data_example_is_a_rejection_and_ic_leaves_out_an_empty_message(
        adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    sample = recorded("spectrum-online-receipt-no-data")
    fake.on("POST", r"/api/OnlineReceipt$", answer_of(sample))
    with pytest.raises(PartnerRejected) as info:
        adapter.post_payment(receipt_payment(request_json(sample)))
    assert info.value.code == "not_applied"
    expected = {k: v for k, v in request_json(sample).items() if k != "transactionMessage"}  # "" is left out
    assert fake.bodies(r"/api/OnlineReceipt$") == [expected]


@pytest.mark.parametrize(("exchange_id", "change", "result"), [
    ("spectrum-set-paperless-design", lambda a: a.set_paperless("30254", True), SettingsResult("30254", "direct", True)),
    ("spectrum-set-autopay-design", lambda a: a.set_autopay("30254", "card"), SettingsResult("30254", "autopay", True)),
])
def test_the_settings_examples_after_the_design_s_session_are_what_ic_sends(
        session: requests.Session, fake: FakeSpectrum, exchange_id: str, change: Any, result: SettingsResult) -> None:
    sessions, sample = recorded("spectrum-sessions-design"), recorded(exchange_id)
    adapter = SpectrumAdapter(make_settings({**SETTINGS, 15: "<<username>>", 16: "<<password>>",
                                             18: "<<username>>", 19: "<<password>>"}), session)
    fake.on("POST", r"/api/sessions/$", answer_of(sessions))
    fake.on(sample.request.method, r"/api/settings/", answer_of(sample))
    assert change(adapter) == result
    sent_session = fake.bodies(r"/api/sessions/$")[0]["data"]
    design_session = request_json(sessions)["data"]
    assert {k: v for k, v in design_session.items() if k != "id"} == sent_session, "the design's literal id is not sent"
    [sent] = fake.requests_to(r"/api/settings/")
    assert sent.method == sample.request.method and sent.url and sent.url.endswith(sample.request.path)
    assert sent.headers["Cookie"] == sample.request.header("cookie") == "sessionid=<SESSIONID>"
    assert json.loads(sent.body or b"") == request_json(sample)
