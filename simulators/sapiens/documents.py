"""The document service (design 004 §PDF Linking): ``GET /s/scsGetBase64Document/{path}`` answers a
``scsResponse`` whose ``<file>`` is the base64 PDF.

The design names "Authentication JNDIs: User / Password" for it; HTTP Basic with the sandbox's
credentials is assumed. An unknown path answers 404 with ``returnCode`` ``FAILURE`` (assumed: the
design shows only a success).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import unquote

from lxml import etree

from simulators.context import SandboxContext
from simulators.pdf import render_bill
from simulators.wsgi import NOTES_KEY

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

__all__ = ["DOCUMENT_PREFIX", "serve_document", "scs_response"]

DOCUMENT_PREFIX = "/s/scsGetBase64Document/"
PARTNER = "sapiens"


def scs_response(code: str, message: str, document: tuple[str, str, bytes] | None = None) -> bytes:
    """A ``scsResponse``; ``document`` is (path, file name, content)."""
    root = etree.Element("scsResponse")
    etree.SubElement(root, "returnCode").text = code
    etree.SubElement(root, "returnMessage").text = message
    if document is not None:
        path, name, content = document
        node = etree.SubElement(etree.SubElement(root, "documents"), "document")
        for key, namespace, value in (("size", "int", f"{len(content):,}"), ("type", "int", "scs:document"),
                                      ("filepath", "int", "/" + path), ("name", "cm", name),
                                      ("documentType", "scs", "Bill")):
            item = etree.SubElement(node, "value", key=key, namespace=namespace)
            item.text = value
        etree.SubElement(node, "filename").text = name
        etree.SubElement(node, "file").text = base64.b64encode(content).decode("ascii")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _answer(start_response: StartResponse, status: str, body: bytes, extra: list[tuple[str, str]] | None = None) -> list[bytes]:
    start_response(status, [("Content-Type", "application/xml"), ("Content-Length", str(len(body))), *(extra or [])])
    return [body]


def _authorised(ctx: SandboxContext, header: str) -> bool:
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        user, _, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    creds = ctx.config.credentials
    return user == creds.username and password == creds.password


def serve_document(ctx: SandboxContext, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    def refuse(status: str, reason: str, extra: list[tuple[str, str]] | None = None) -> list[bytes]:
        environ[NOTES_KEY] = (environ.get(NOTES_KEY, "") + f" rejected {status}: {reason}").strip()
        return _answer(start_response, status, scs_response("FAILURE", reason), extra)

    if environ.get("REQUEST_METHOD", "GET").upper() not in ("GET", "HEAD"):
        return refuse("405 Method Not Allowed", "The document service answers GET only.", [("Allow", "GET")])
    if not _authorised(ctx, environ.get("HTTP_AUTHORIZATION", "")):
        return refuse("401 Unauthorized", "Authentication required (HTTP Basic user and password).",
                      [("WWW-Authenticate", 'Basic realm="scs"')])
    path = unquote(environ.get("PATH_INFO", "")[len(DOCUMENT_PREFIX):]).strip().strip("/").strip()
    with ctx.store.read() as conn:
        row = conn.execute("SELECT account_number, content, data FROM documents WHERE partner = ? AND key = ?",
                           (PARTNER, path)).fetchone()
    if row is None:
        return refuse("404 Not Found", f"No document at {path!r}.")
    content = row[1]
    if content is None:
        data = json.loads(row[2])
        content = render_bill("Sapiens BillingPro", str(row[0]), str(data.get("document_date", "")),
                              [("Document", path.rsplit("/", 1)[-1])])
    return _answer(start_response, "200 OK", scs_response("SUCCESS", "Success", (path, path.rsplit("/", 1)[-1], content)))
