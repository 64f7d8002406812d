"""Bill presentment (design 000 §Bill Presentment): the PDF for the IC invoice date."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from adapters import AdapterInputError, ContractViolation, ImtAdapter, PartnerRejected
from contracts.bif import Invoice
from tests.adapters.fake_imt import Answer, FakePartner, errors, invoice

BILL = r"/api/v1/accounts/ACCT0001/invoices/$"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"


def test_bill_request_shape_and_bytes(adapter: ImtAdapter, fake: FakePartner) -> None:
    fake.on("GET", BILL, Answer(body=PDF, headers={"Content-Type": "application/pdf"}))
    assert adapter.fetch_bill(invoice(on=date(2024, 7, 12))) == PDF
    sent = fake.billing_requests()[-1]
    assert urlsplit(sent.url or "").path == "/imt/billing/api/v1/accounts/ACCT0001/invoices/"
    assert parse_qs(urlsplit(sent.url or "").query) == {"document_date": ["2024-07-12"]}
    assert sent.headers["Authorization"] == "jwt-1"
    exchange = adapter.exchanges[-1]
    assert (exchange.operation, exchange.request.host, exchange.request.path) == (
        "get_bill", "billing", "/api/v1/accounts/ACCT0001/invoices/")
    assert exchange.request.query == {"document_date": "2024-07-12"}
    assert exchange.violations == []


def test_the_recorded_bill_is_accepted(adapter: ImtAdapter, fake: FakePartner) -> None:
    sample = next(e for e in adapter.contract.exchanges if e.operation == "get_bill")
    assert sample.response is not None
    fake.on("GET", BILL, Answer(body=sample.response.body, headers=sample.response.headers))
    assert adapter.fetch_bill(invoice()) == sample.response.body


def test_an_answer_that_is_not_a_pdf_is_a_violation(adapter: ImtAdapter, fake: FakePartner) -> None:
    fake.on("GET", BILL, Answer(body=b"<html>login</html>", headers={"Content-Type": "application/pdf"}))
    with pytest.raises(ContractViolation, match="%PDF") as caught:
        adapter.fetch_bill(invoice())
    assert caught.value.exchange is adapter.exchanges[-1]


def test_missing_document_is_rejected(adapter: ImtAdapter, fake: FakePartner) -> None:
    fake.on("GET", BILL, errors(404, "No document for 2024-07-12", code="document_not_found"))
    with pytest.raises(PartnerRejected) as caught:
        adapter.fetch_bill(invoice())
    assert (caught.value.status, caught.value.code) == (404, "document_not_found")


def test_an_invoice_without_date_cannot_be_fetched(adapter: ImtAdapter, fake: FakePartner) -> None:
    with pytest.raises(AdapterInputError, match="FileSpecID 11"):
        adapter.fetch_bill(Invoice(account_number="ACCT0001", invoice_number="X-1"))
    assert fake.received == []
