"""The design's own exchanges (``contracts/sapiens/exchanges``), replayed through the adapter.

For each recorded exchange IC could have made, the adapter is called with the BIF fields that lead to
it: the payload it sends must be the recorded one (compared after normalising whitespace, never as
raw strings), and the recorded answer (the design's, quirks kept: the nested literal CDATA) must
give the result the design describes.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from lxml import etree

from adapters import Credit, CreditKind, PartnerRejected, Payment, PaymentMethod, SapiensAdapter
from contracts import Exchange, load_contract
from tests.adapters.fake_sapiens import (
    Answer, FakeSapiens, invoice, open_item,
)

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"






def recorded(exchange_id: str) -> Exchange:
    found = [e for e in load_contract("sapiens").exchanges if e.id == exchange_id]
    assert found, f"no recorded exchange {exchange_id}"
    return found[0]


def answer_of(exchange: Exchange) -> Answer:
    assert exchange.response is not None
    return Answer(status=exchange.response.status, body=exchange.response.body, headers=dict(exchange.response.headers))


def normalised(element: Any, drop: tuple[str, ...] = ()) -> bytes:
    """An element without whitespace-only text and without the ``drop`` children, in canonical form."""
    copy = etree.fromstring(etree.tostring(element))
    for node in copy.iter():
        if node.text is not None and not node.text.strip():
            node.text = None
        if node.tail is not None and not node.tail.strip():
            node.tail = None
    for tag in drop:
        for node in copy.findall(f".//{tag}"):
            node.getparent().remove(node)
    return bytes(etree.tostring(copy, method="c14n"))


def recorded_payload(exchange: Exchange) -> Any:
    root = etree.fromstring(exchange.request.body)
    data = root.find(f"{{{SOAP_ENV}}}Body/*/Data")
    return etree.fromstring("".join(data.itertext()).strip().encode())


def same_request(fake: FakeSapiens, exchange: Exchange, index: int = -1, drop: tuple[str, ...] = ()) -> None:
    sent = fake.sent(index)
    mine = etree.fromstring(exchange.request.body).find(f"{{{SOAP_ENV}}}Body/*")
    assert (sent.field("ActionCode"), sent.field("InterfaceCode")) == (mine.findtext("ActionCode"),
                                                                       mine.findtext("InterfaceCode"))
    assert sent.path.removeprefix("/sapiens") == exchange.request.path
    assert normalised(sent.payload, drop) == normalised(recorded_payload(exchange), drop)


def test_account_balance(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    exchange = recorded("sapiens-account-balance")
    fake.on("PWSTRUCTUREDSEARCH/icAccountBalanceUpd", answer_of(exchange))
    [update] = adapter.refresh_balance([invoice(c2="981000001")]).updates
    same_request(fake, exchange)
    assert (update.balance_due, update.total_amount_due, update.past_due) == (Decimal(250), Decimal(1500), Decimal(0))


def test_account_balance_by_account_code(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    exchange = recorded("sapiens-account-balance-by-account-code")
    fake.on("PWSTRUCTUREDSEARCH/icAccountBalanceUpd", answer_of(exchange))
    inv = invoice(c7="icAccountBalanceUpd", c8="acctName", c9="981000001", c10="BM_ACCT_SRCH1")
    [update] = adapter.refresh_balance([inv]).updates
    same_request(fake, exchange)
    assert update.balance_due == Decimal(250)


def test_policy_balance(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    exchange = recorded("sapiens-policy-balance")
    fake.on("PWSTRUCTUREDSEARCH/icPolicyBalanceUpd", answer_of(exchange))
    inv = invoice(account="HOM123456", c7="icPolicyBalanceUpd", c8="policyNbr", c9="I-706200001-1",
                  c10="BM_ACCT_SRCH1")
    [update] = adapter.refresh_balance([inv]).updates
    same_request(fake, exchange)
    assert (update.balance_due, update.total_amount_due, update.past_due) == (Decimal(0), Decimal(1467), Decimal(0))


def test_policy_balance_as_written_is_none_found(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    """The design's sample searches policyNbr 981000001 (Custom3 set, the rule before INT-4903): NONEFOUND."""
    exchange = recorded("sapiens-policy-balance-as-written")
    fake.on("PWSTRUCTUREDSEARCH/icPolicyBalanceUpd", answer_of(exchange))
    with pytest.raises(PartnerRejected, match="No account, policy or invoice matches") as caught:
        adapter.refresh_balance([invoice(c2="653000001", c3="981000001")])
    same_request(fake, exchange)
    assert caught.value.code == "NONEFOUND"


def test_invoice_balance(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    exchange = recorded("sapiens-invoice-balance")
    fake.on("PWSTRUCTUREDSEARCH/icInvoiceBalanceUpd", answer_of(exchange))
    refresh = adapter.refresh_balance([open_item("45405"), open_item("45605"), open_item("45606")])
    same_request(fake, exchange)
    assert [(u.invoice_number, u.balance_due) for u in refresh.updates] == [
        ("45405", Decimal("27960.65")), ("45605", Decimal("49961.47")), ("45606", Decimal("46961.47"))]


def test_post_payment(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    exchange = recorded("sapiens-post-payment")
    fake.on("createRemitACHPmt", answer_of(exchange))
    inv = invoice(account="WC10002361", c2="653000001", c3="WC10002361-01", c5="P")
    result = adapter.post_payment(Payment("4624100001", inv, Decimal("3935.25"), date(2021, 8, 2), PaymentMethod.ACH))
    same_request(fake, exchange)
    assert (result.payment_id, result.batch_id, result.remittance_id) == ("4624100001", "369200001", "2")


def test_nsf_searches_then_reverses(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    search, reverse = recorded("sapiens-remit-search"), recorded("sapiens-reverse-payment-nsf")
    fake.on("PWSTRUCTUREDSEARCH/remitBatchSearch", answer_of(search))
    fake.on("createRemitReversal", answer_of(reverse))
    credit = Credit("800700001-2021-", "981000001", Decimal("1905.00"), CreditKind.ACH_REJECT, reject_code="R01")
    result = adapter.post_credit(credit)
    same_request(fake, search, 0)
    same_request(fake, reverse, 1)
    assert result.posted and (result.batch_id, result.remittance_id) == ("833100001", "2")


def test_reversal_of_an_unknown_payment(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    search = recorded("sapiens-remit-search-as-written")
    fake.on("PWSTRUCTUREDSEARCH/remitBatchSearch", answer_of(search))
    with pytest.raises(PartnerRejected, match="No remittance has paymentID '12345'"):
        adapter.post_credit(Credit("12345", "981000001", Decimal("500.00"), CreditKind.VOID))
    same_request(fake, search)
    assert len(fake.received) == 1


@pytest.mark.parametrize(("exchange_id", "policy"), [("sapiens-update-settings-account", ""),
                                                     ("sapiens-update-settings-policy", "HOM123445_01")])
def test_update_settings(adapter: SapiensAdapter, fake: FakeSapiens, exchange_id: str, policy: str) -> None:
    exchange = recorded(exchange_id)
    fake.on("updateICSettings", answer_of(exchange))
    result = adapter.update_settings(invoice(c2="522000001", c3=policy, c6="522000001"), autopay=True, paperless=True)
    same_request(fake, exchange)
    assert (result.account_number, result.policy_number, result.autopay, result.paperless) == (
        "522000001", policy, True, True)


def test_down_payment(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    """IC has no payer country: the recorded request's paymentPayerAddressCountry is the one difference."""
    exchange = recorded("sapiens-down-payment")
    fake.on("updPaymentInfo", answer_of(exchange))
    quote = invoice("Q12345678", account="Q12345678", c6="112111001")
    quote.customer_name = "Polly Payer"
    quote.extra.update({61: "123 Main Street", 63: "Southtown", 64: "PA", 65: "00000"})
    result = adapter.post_payment(Payment("abc123454321", quote, Decimal("1000.00"), date(2021, 8, 2),
                                          PaymentMethod.CARD, payer_email="polly.payer@example.test"))
    same_request(fake, exchange, drop=("paymentPayerAddressCountry",))
    assert result.operation == "down_payment"


def test_get_document(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    exchange = recorded("sapiens-get-document")
    fake.on("GET", answer_of(exchange))
    bill = adapter.fetch_bill(invoice(c1=" /s/scsGetBase64Document/DocumentsPro/DevEnv/Policies/422130001/"
                                         "MiscellaneousDocuments/document.pdf /"))
    assert bill.startswith(b"%PDF-")
    assert adapter.exchanges[-1].request.path == exchange.request.path


def test_every_recorded_operation_ic_calls_is_replayed() -> None:
    """A new recorded exchange of an operation IC calls gets a replay test here."""
    calls = {"account_balance", "policy_balance", "invoice_balance", "remit_search", "post_payment",
             "reverse_payment", "update_settings", "down_payment", "get_document"}
    assert {e.operation for e in load_contract("sapiens").exchanges} & calls == calls
