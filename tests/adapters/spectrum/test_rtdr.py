"""RTDR balance refresh with InvoiceBalanceDue (design 001 §RTDR: Balance Update, §Field Mapping)."""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests

from adapters import (
    AdapterInputError, BalanceUpdate, ContractViolation, PartnerRejected, PartnerUnavailable, SpectrumAdapter,
)
from tests.adapters.fake_spectrum import CORE, Answer, FakeSpectrum, balance, errors, invoice, make_settings


def test_the_design_sample_gives_balance_due_and_total_amount_due_in_cents(
        adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    fake.on("GET", r"/InvoiceBalanceDue$", balance("30254", "731.3700"))
    refresh = adapter.refresh_balance([invoice()])
    assert refresh.updates == (BalanceUpdate(account_number="30254", invoice_number="30254",
                                             total_amount_due=Decimal("731.37"), balance_due=Decimal("731.37"),
                                             past_due=Decimal("0"), operation="invoice_balance_due"),)
    assert str(refresh.updates[0].balance_due) == "731.37", "cents, not the answer's four places"
    assert refresh.skipped == ()


def test_the_invoice_number_goes_in_the_query_as_the_design_example_writes_it(
        adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    fake.on("GET", r"/InvoiceBalanceDue$", balance())
    adapter.refresh_balance([invoice()])
    [request] = fake.requests_to(r"/InvoiceBalanceDue$")
    assert request.url == f"{CORE}/api/Invoice/InvoiceBalanceDue?invoiceNumber=30254"
    assert "Content-Type" not in request.headers and not request.body


def test_one_call_per_invoice_and_an_invoice_given_twice_is_asked_once(
        adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    fake.on("GET", r"/InvoiceBalanceDue$", lambda r: balance(fake.query(r)[0][1], "150.0000"))
    refresh = adapter.refresh_balance([invoice("30255", account="30255"), invoice("30256", account="30256"),
                                       invoice("30255", account="30255")])
    assert [fake.query(r) for r in fake.requests_to(r"/InvoiceBalanceDue$")] == [
        [("invoiceNumber", "30255")], [("invoiceNumber", "30256")]]
    assert [(u.account_number, u.invoice_number) for u in refresh.updates] == [("30255", "30255"), ("30256", "30256")]


@pytest.mark.parametrize(("written", "dollars"), [("0.0000", "0.00"), ("-12.5000", "-12.50"), ("1500.1000", "1500.10")])
def test_amounts_are_read_exactly(adapter: SpectrumAdapter, fake: FakeSpectrum, written: str, dollars: str) -> None:
    fake.on("GET", r"/InvoiceBalanceDue$", balance("30254", written))
    [update] = adapter.refresh_balance([invoice()]).updates
    assert update.balance_due == update.total_amount_due == Decimal(dollars)


def test_a_balance_with_fractional_cents_is_not_rounded_but_a_contract_violation(
        adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    fake.on("GET", r"/InvoiceBalanceDue$", balance("30254", "731.3750"))
    with pytest.raises(ContractViolation, match="whole cents") as info:
        adapter.refresh_balance([invoice()])
    assert info.value.violations[0].location == "response body /data/attributes/balanceDue"


@pytest.mark.parametrize("found", ["731,37", "", None])
def test_a_balance_that_is_not_an_amount_is_a_contract_violation(
        adapter: SpectrumAdapter, fake: FakeSpectrum, found: object) -> None:
    fake.on("GET", r"/InvoiceBalanceDue$", balance("30254", found))
    with pytest.raises(ContractViolation) as info:
        adapter.refresh_balance([invoice()])
    assert any("balanceDue" in v.location for v in info.value.violations)


def test_without_strict_contract_a_balance_written_as_a_number_is_taken(
        session: requests.Session, fake: FakeSpectrum) -> None:
    adapter = SpectrumAdapter(make_settings(strict_contract=False), session)
    fake.on("GET", r"/InvoiceBalanceDue$", Answer(json={"data": {"id": "30254", "type": "invoiceNumber",
                                                                 "attributes": {"balanceDue": 731.37}}}))
    assert adapter.refresh_balance([invoice()]).updates[0].balance_due == Decimal("731.37")


def test_an_answer_about_another_invoice_is_a_contract_violation(adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    fake.on("GET", r"/InvoiceBalanceDue$", balance("99999"))
    with pytest.raises(ContractViolation) as info:
        adapter.refresh_balance([invoice()])
    assert info.value.violations[0].location == "response body /data/id"


def test_an_unknown_invoice_is_refused_as_not_found(adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    fake.on("GET", r"/InvoiceBalanceDue$", errors(404, "No invoice 77777.", code="invoice_not_found",
                                                  parameter="invoiceNumber"))
    with pytest.raises(PartnerRejected) as info:
        adapter.refresh_balance([invoice("77777", account="77777")])
    error = info.value
    assert (error.status, error.code, error.operation) == (404, "invoice_not_found", "spectrum.invoice_balance_due")
    assert error.errors[0].parameter == "invoiceNumber" and "77777" in str(error)


def test_a_server_error_is_partner_unavailable(adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    fake.on("GET", r"/InvoiceBalanceDue$", Answer(status=503, body=b"Service Unavailable"))
    with pytest.raises(PartnerUnavailable, match="HTTP 503"):
        adapter.refresh_balance([invoice()])


def test_no_invoices_is_input_ic_never_sends(adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    with pytest.raises(AdapterInputError):
        adapter.refresh_balance([])
    assert fake.received == []
