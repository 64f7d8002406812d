"""TCCS bill image: ``Retrieve_Bill_Image`` (design 002 §PDF Linking)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from adapters import ContractViolation, PartnerRejected, PartnerUnavailable, TccsAdapter
from tests.adapters.fake_tccs import INVOICE, PDF, Answer, FakeTccs, error, invoice, pdf


def test_the_bill_is_the_pdf_bytes_as_sent(adapter: TccsAdapter, fake: FakeTccs) -> None:
    fake.on("Retrieve_Bill_Image", pdf())
    assert adapter.fetch_bill(invoice()) == PDF
    sent = fake.sent()
    assert (sent.content, sent.credentials) == (INVOICE, ("GUID-PDF", "key-pdf"))  # settings 20, 21, 22
    assert sent.request.url == "http://tccs.test/tccs/invoicecloudapi/Retrieve_Bill_Image"  # no /api/
    assert adapter.exchanges[-1].request.path == "/Retrieve_Bill_Image"


def test_an_answer_that_is_not_a_pdf_is_a_contract_violation(make: Callable[..., TccsAdapter], fake: FakeTccs) -> None:
    fake.on("Retrieve_Bill_Image", Answer(body=b"<html></html>", headers={"Content-Type": "application/pdf"}))
    with pytest.raises(ContractViolation, match="a PDF document"):
        make(strict_contract=False).fetch_bill(invoice())


def test_an_unknown_invoice_is_a_refusal(adapter: TccsAdapter, fake: FakeTccs) -> None:
    fake.on("Retrieve_Bill_Image", error(404, "INVOICE_NOT_FOUND", "No bill for that invoice."))
    with pytest.raises(PartnerRejected) as info:
        adapter.fetch_bill(invoice("999-01/01/2020"))
    assert info.value.code == "INVOICE_NOT_FOUND"


def test_the_bill_is_not_retried(adapter: TccsAdapter, fake: FakeTccs, sleeps: list[float]) -> None:
    fake.on("Retrieve_Bill_Image", error(502, "BAD_GATEWAY", "x"), pdf())
    with pytest.raises(PartnerUnavailable):
        adapter.fetch_bill(invoice())
    assert len(fake.received) == 1 and sleeps == []
