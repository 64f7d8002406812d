"""TCCS RTDR: ``ARState_Output`` per invoice, RecordBal and TotalBalance (design 002 §RTDR: Balance Update)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from adapters import AdapterInputError, BalanceUpdate, ContractViolation, PartnerRejected, PartnerUnavailable, TccsAdapter
from tests.adapters.fake_tccs import INVOICE, QUOTE, Answer, FakeTccs, balance, error, invoice

Make = Callable[..., TccsAdapter]


def test_one_call_per_invoice_maps_record_and_total_balance(adapter: TccsAdapter, fake: FakeTccs) -> None:
    """Field Mapping: "Record bal = BalanceDue, Total Balance = TotalAmountDue"; TCCS gives no past due."""
    fake.on("ARState_Output", balance("454100010-06/16/2020", "125.00", "480.00"), balance(INVOICE, "0.00", "480.00"))
    refresh = adapter.refresh_balance([invoice("454100010-06/16/2020"), invoice(INVOICE)])
    assert refresh.updates == (
        BalanceUpdate("454100010", "454100010-06/16/2020", Decimal("480.00"), Decimal("125.00"), Decimal("0"),
                      "ARState_Output"),
        BalanceUpdate("454100010", INVOICE, Decimal("480.00"), Decimal("0.00"), Decimal("0"), "ARState_Output"),
    )
    assert refresh.skipped == ()
    assert fake.contents() == ["454100010-06/16/2020", INVOICE]
    sent = fake.sent()
    assert sent.credentials == ("GUID-RTDR", "key-rtdr")  # settings 9 and 10
    assert sent.request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert sent.request.url == "http://tccs.test/tccs/invoicecloudapi/api/ARState_Output"
    assert [e.request.path for e in adapter.exchanges] == ["/api/ARState_Output"] * 2


def test_an_invoice_given_twice_is_asked_once_and_a_quote_is_asked_too(adapter: TccsAdapter, fake: FakeTccs) -> None:
    fake.on("ARState_Output", balance(QUOTE, "24.00", "24.00"))
    refresh = adapter.refresh_balance([invoice(QUOTE), invoice(QUOTE)])
    assert [u.invoice_number for u in refresh.updates] == [QUOTE]
    assert fake.contents() == [QUOTE]


def test_no_invoice_is_input_ic_never_sends(adapter: TccsAdapter, fake: FakeTccs) -> None:
    with pytest.raises(AdapterInputError, match="needs the invoices"):
        adapter.refresh_balance([])
    assert fake.received == []


def test_an_unknown_invoice_is_rejected_with_tccs_code(adapter: TccsAdapter, fake: FakeTccs) -> None:
    fake.on("ARState_Output", error(404, "INVOICE_NOT_FOUND", "Invoice 999-01/01/2020 was not found."))
    with pytest.raises(PartnerRejected) as info:
        adapter.refresh_balance([invoice("999-01/01/2020")])
    assert (info.value.status, info.value.code, info.value.pointer) == (404, "INVOICE_NOT_FOUND", "")
    assert "was not found" in str(info.value) and "check the invoice number" in str(info.value)


def test_rtdr_is_not_retried(adapter: TccsAdapter, fake: FakeTccs, sleeps: list[float]) -> None:
    """ITG-1853 retries the data pump; RTDR answers IC's user, who sees the balance IC has."""
    fake.on("ARState_Output", error(503, "UNAVAILABLE", "down"), balance())
    with pytest.raises(PartnerUnavailable):
        adapter.refresh_balance([invoice()])
    assert len(fake.received) == 1 and sleeps == []


@pytest.mark.parametrize(("doc", "where"), [
    ({"Status": "Success", "InvoiceNumber": INVOICE, "RecordBal": 125, "TotalBalance": "480.00"}, "/RecordBal"),
    ({"Status": "Success", "InvoiceNumber": INVOICE, "RecordBal": "125.00"}, "/TotalBalance"),
])
def test_an_answer_ic_cannot_read_is_a_contract_violation(make: Make, fake: FakeTccs, doc: dict[str, object],
                                                          where: str) -> None:
    fake.on("ARState_Output", Answer(json=doc))
    with pytest.raises(ContractViolation) as info:
        make(strict_contract=False).refresh_balance([invoice()])
    assert f"response body {where}" in [v.location for v in info.value.violations]


def test_a_balance_of_another_invoice_is_a_contract_violation(adapter: TccsAdapter, fake: FakeTccs) -> None:
    """Contract-strict: the answer must be about the invoice asked for."""
    fake.on("ARState_Output", balance("306-12/11/2019"))
    with pytest.raises(ContractViolation) as info:
        adapter.refresh_balance([invoice()])
    assert [v.location for v in info.value.violations] == ["response body /InvoiceNumber"]


def test_the_echoed_invoice_ignores_blanks_and_case(adapter: TccsAdapter, fake: FakeTccs) -> None:
    fake.on("ARState_Output", balance("454100010 -03/01/2019"))
    assert adapter.refresh_balance([invoice()]).updates[0].balance_due == Decimal("125.00")


def test_a_body_that_is_not_json_is_a_contract_violation(make: Make, fake: FakeTccs) -> None:
    fake.on("ARState_Output", Answer(body=b"<html>oops</html>", headers={"Content-Type": "text/html"}))
    with pytest.raises(ContractViolation, match="a JSON object with Status"):
        make(strict_contract=False).refresh_balance([invoice()])
