"""Sapiens bill image: ``scsGetBase64Document`` with the path of Custom1 (design 004 §PDF Linking)."""

from __future__ import annotations

import base64
from urllib.parse import urlsplit

import pytest
import requests

from adapters import AdapterConfigError, AdapterInputError, AuthError, ContractViolation, PartnerRejected, SapiensAdapter
from tests.adapters.fake_sapiens import (
    SETTINGS, Answer, FakeSapiens, invoice, make_settings,
)








PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DESIGN_PATH = " /s/scsGetBase64Document/DocumentsPro/DevEnv/Policies/422130001/MiscellaneousDocuments/document.pdf /"


def scs(file: str, code: str = "SUCCESS", message: str = "Success") -> Answer:
    """A ``scsResponse`` as in the design's sample (a few of its ``value`` entries kept)."""
    body = (f"<scsResponse><returnCode>{code}</returnCode><returnMessage>{message}</returnMessage><documents>"
            '<document><value key="size" namespace="int">4,099,685</value>'
            '<value key="type" namespace="int">scs:document</value>'
            f"<filename>document.pdf</filename><file>{file}</file></document></documents></scsResponse>")
    return Answer(body=body.encode(), headers={"Content-Type": "application/xml"})


def encoded(data: bytes = PDF) -> str:
    text = base64.b64encode(data).decode()
    return "\n".join(text[i:i + 20] for i in range(0, len(text), 20))  # line-wrapped, as services do


def test_bill_is_the_decoded_pdf(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    fake.on("GET", scs(encoded()))
    assert adapter.fetch_bill(invoice(c1=DESIGN_PATH)) == PDF
    sent = fake.received[-1]
    # setting 20 + Custom1, the design's stray spaces and trailing ' /' removed
    assert sent.url == ("http://sapiens.test/sapiens/s/scsGetBase64Document/DocumentsPro/DevEnv/Policies/422130001/"
                        "MiscellaneousDocuments/document.pdf")
    assert sent.method == "GET" and sent.body is None
    assert sent.headers["Authorization"] == "Basic " + base64.b64encode(b"pdf-user:pdf-secret").decode()  # 21, 22
    assert sent.headers["Content-Type"] == "application/xml"  # the design's request header
    exchange = adapter.exchanges[-1]
    assert exchange.operation == "get_document"
    assert exchange.request.path == DESIGN_PATH.strip().removesuffix(" /")


def test_spaces_in_the_path_are_encoded(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    fake.on("GET", scs(encoded()))
    adapter.fetch_bill(invoice(c1="s/scsGetBase64Document/DocumentsPro/Star Wars Characters/Light Side/doc.pdf"))
    assert urlsplit(fake.received[-1].url or "").path == (
        "/sapiens/s/scsGetBase64Document/DocumentsPro/Star%20Wars%20Characters/Light%20Side/doc.pdf")


@pytest.mark.parametrize(("custom1", "words"), [("", r"Custom1 \(FileSpecID 38\)"), ("  /  ", "empty"),
                                               ("/s/scsGetBase64Document/../../admin", r"'\.\.'")])
def test_unusable_custom1_is_an_input_error(adapter: SapiensAdapter, fake: FakeSapiens, custom1: str,
                                            words: str) -> None:
    with pytest.raises(AdapterInputError, match=words):
        adapter.fetch_bill(invoice(c1=custom1))
    assert fake.received == []


def test_pdf_credentials_are_required(session: requests.Session) -> None:
    adapter = SapiensAdapter(make_settings({k: v for k, v in SETTINGS.items() if k != 22}), session)
    with pytest.raises(AdapterConfigError, match=r"setting 22 \(Remote PDF EndPoint/WebService Password\)"):
        adapter.fetch_bill(invoice(c1=DESIGN_PATH))


@pytest.mark.parametrize(("answer", "error", "words"), [
    (Answer(status=401), AuthError, "settings 21 and 22"),
    (Answer(status=404), PartnerRejected, "Custom1"),
    (Answer(status=401, body=scs("", "FAILURE", "Bad credentials").body), AuthError, "Bad credentials"),
    (Answer(status=404, body=scs("", "FAILURE", "No such document").body), PartnerRejected, "No such document"),
    (scs("", code="FAILURE", message="Document not found"), PartnerRejected, "Document not found"),
    (scs("==base64encodedfileishere"), ContractViolation, "base64"),  # the design's placeholder
    (scs(encoded(b"PK\x03\x04 a docx")), ContractViolation, "PDF"),
    (scs(""), ContractViolation, "file"),
    (Answer(body=b"<html/>"), ContractViolation, "scsResponse"),
])
def test_bad_answers_are_typed_errors(session: requests.Session, fake: FakeSapiens, answer: Answer,
                                      error: type[Exception], words: str) -> None:
    fake.on("GET", answer)
    adapter = SapiensAdapter(make_settings(strict_contract=False), session)
    with pytest.raises(error, match=words) as caught:
        adapter.fetch_bill(invoice(c1=DESIGN_PATH))
    assert getattr(caught.value, "exchange", None) is adapter.exchanges[-1]


@pytest.mark.parametrize("status", [200, 404])
def test_failure_code_is_carried(session: requests.Session, fake: FakeSapiens, status: int) -> None:
    """A refusal is a scsResponse with returnCode FAILURE, whatever its HTTP status (contract assumption)."""
    fake.on("GET", Answer(status=status, body=scs("", code="FAILURE", message="Document not found").body))
    with pytest.raises(PartnerRejected) as caught:
        SapiensAdapter(make_settings(strict_contract=False), session).fetch_bill(invoice(c1=DESIGN_PATH))
    assert (caught.value.code, caught.value.detail, caught.value.status) == ("FAILURE", "Document not found", status)
