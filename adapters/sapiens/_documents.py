"""The document service's answer (design 004 §PDF Linking): a ``scsResponse`` with the base64 PDF.

Not SOAP: a plain GET answered with XML. A refusal may come as a ``scsResponse`` whose returnCode
is FAILURE "whatever its HTTP status" (the contract's assumption), so the body is read before the
status decides.
"""

from __future__ import annotations

import base64
import binascii

from lxml import etree

from contracts import Exchange, Violation
from contracts.xmlbody import XmlProblem, parse_xml

from adapters.errors import AuthError, ContractViolation, JsonApiError, PartnerRejected
from adapters.sapiens._rules import bif

__all__ = ["read_document"]

_PDF = b"%PDF-"


def read_document(exchange: Exchange, path: str) -> bytes:
    """The PDF of the answer, or: ``AuthError`` (401, 403), ``PartnerRejected`` (a returnCode other
    than SUCCESS, another HTTP error), ``ContractViolation`` (no scsResponse, no file, not base64, not a PDF)."""
    assert exchange.response is not None
    rule = "design 004 §PDF Linking"
    status = exchange.response.status
    root: etree._Element | None = None
    unreadable = Violation("response body", "a scsResponse", "an empty body", rule)
    try:
        root = parse_xml(exchange.response.body, part="response body")
    except XmlProblem as problem:
        unreadable = problem.violation
    answer = root if root is not None and root.tag == "scsResponse" else None
    code = (answer.findtext("returnCode") or "").strip() if answer is not None else ""
    said = (answer.findtext("returnMessage") or "").strip() if answer is not None else ""
    message = said.rstrip(". ") or "no returnMessage"
    if status in (401, 403):
        raise AuthError(f"sapiens.get_document: the document service refused the credentials of settings 21 and "
                        f"22 (HTTP {status}, {code or 'no returnCode'}: {message}). Expected the biller's PDF "
                        "username and password to be accepted; check settings 21 and 22.", exchange=exchange)
    if answer is not None and code.upper() != "SUCCESS":
        raise PartnerRejected(
            f"sapiens.get_document: the document service refused {path} (HTTP {status}, returnCode "
            f"{code or '(none)'}): {message}. Expected SUCCESS; check the document path in {bif(1)}.",
            exchange=exchange, status=status, errors=[JsonApiError(status=str(status), code=code, detail=said)])
    if status != 200:
        hint = f"the document is unknown: check the path in {bif(1)}" if status == 404 else \
            "ask Sapiens why the document service refuses"
        raise PartnerRejected(f"sapiens.get_document: the document service answered HTTP {status} for {path}. "
                              f"Expected 200 with a scsResponse; {hint}.", exchange=exchange, status=status,
                              errors=[JsonApiError(status=str(status), code=f"HTTP {status}")])
    if answer is None:
        found = unreadable if root is None else Violation("response body /", "root element scsResponse",
                                                          str(root.tag), rule)
        raise ContractViolation.of(exchange, [found], "expected a scsResponse")
    files = [f for f in answer.iterfind("documents/document/file") if "".join(f.itertext()).strip()]
    if not files:
        raise ContractViolation.of(exchange, [Violation("response body /scsResponse/documents/document/file",
                                                        "the base64 PDF", "absent or empty", rule)])
    text = "".join("".join(files[0].itertext()).split())
    try:
        pdf = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ContractViolation.of(exchange, [Violation("response body /scsResponse/documents/document/file",
                                                        "base64", repr(text[:24]), rule)],
                                   "IC cannot decode the document") from None
    if not pdf.startswith(_PDF):
        raise ContractViolation.of(exchange, [Violation("response body /scsResponse/documents/document/file",
                                                        "a base64 PDF (starting with %PDF-)", repr(pdf[:16]), rule)],
                                   "IC cannot show it as the bill")
    return pdf
