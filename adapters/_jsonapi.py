"""JSON:API on the client side: bodies out, answers in, ``errors[]`` into ``PartnerRejected``.

Numbers are read as ``Decimal`` (never float) so that amounts keep their cents. A field IC needs
that is absent or of the wrong type is a ``Violation``; ``Fields.done`` raises them all at once as
a ``ContractViolation`` (the partner answered, but not with what the contract promises).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from contracts import Exchange, Violation

from adapters.errors import ContractViolation, JsonApiError, PartnerRejected

__all__ = ["MEDIA_TYPE", "dumps", "read_json", "Fields", "rejection"]

MEDIA_TYPE = "application/vnd.api+json"
_MISSING = object()


def dumps(doc: Any) -> bytes:
    return json.dumps(doc, separators=(",", ":")).encode("utf-8")


def read_json(exchange: Exchange) -> Any:
    """The answer's body as JSON with Decimal numbers; a body that is not JSON is a violation."""
    assert exchange.response is not None
    try:
        return json.loads(exchange.response.body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        found = exchange.response.body[:40].decode("utf-8", "replace") or "an empty body"
        violation = Violation("response body", "a JSON:API document", repr(found), message=str(exc)[:120])
        raise ContractViolation.of(exchange, [violation]) from exc


def _child(node: Any, part: str) -> Any:
    if isinstance(node, dict):
        return node.get(part, _MISSING)
    if isinstance(node, list) and part.isdigit() and int(part) < len(node):
        return node[int(part)]
    return _MISSING


class Fields:
    """Reads the fields IC uses from an answer, collecting a violation for each one that is unusable."""

    def __init__(self, doc: Any, rule: str) -> None:
        self.doc = doc
        self.rule = rule  # where the expectation comes from, e.g. "design 000 §Data Pump Payment"
        self.violations: list[Violation] = []

    def get(self, pointer: str) -> Any:
        node = self.doc
        for part in pointer.strip("/").split("/"):
            node = _child(node, part)
            if node is _MISSING:
                break
        return node

    def flag(self, location: str, expected: str, found: Any) -> None:
        shown = "absent" if found is _MISSING else json.dumps(found, default=str)[:80]
        self.violations.append(Violation(f"response body {location}", expected, shown, self.rule))

    def money(self, pointer: str) -> Decimal:
        value = self.get(pointer)
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            return Decimal(value)
        self.flag(pointer, "an amount (a JSON number)", value)
        return Decimal(0)

    def text(self, pointer: str) -> str:
        value = self.get(pointer)
        if isinstance(value, str):
            return value
        self.flag(pointer, "a string", value)
        return ""

    def boolean(self, pointer: str) -> bool:
        value = self.get(pointer)
        if isinstance(value, bool):
            return value
        self.flag(pointer, "true or false", value)
        return False

    def done(self, exchange: Exchange, what: str = "") -> None:
        if self.violations:
            raise ContractViolation.of(exchange, self.violations, what)


def _errors(doc: Any) -> list[JsonApiError]:
    items = doc.get("errors") if isinstance(doc, dict) else None
    out: list[JsonApiError] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        source = item.get("source")
        if not isinstance(source, dict):
            source = {}
        out.append(
            JsonApiError(
                status=str(item.get("status", "")),
                code=str(item.get("code", "")),
                title=str(item.get("title", "")),
                detail=str(item.get("detail", "")),
                pointer=str(source.get("pointer", "")),
                parameter=str(source.get("parameter", "")),
            )
        )
    return out


def rejection(exchange: Exchange, what: str) -> PartnerRejected:
    """The ``PartnerRejected`` for a non-2xx answer, with the partner's JSON:API errors when it gave any."""
    assert exchange.response is not None
    status = exchange.response.status
    try:
        errors = _errors(json.loads(exchange.response.body))
    except (ValueError, UnicodeDecodeError):
        errors = []
    if status == 404 and not any(e.code for e in errors):
        first = errors[0] if errors else JsonApiError(status="404", detail="not found")
        errors = [JsonApiError(first.status, "not_found", first.title, first.detail, first.pointer, first.parameter)] + errors[1:]
    reason = "; ".join(str(e) for e in errors) or f"no JSON:API errors in the answer ({len(exchange.response.body)} bytes)"
    code = f", code {errors[0].code}" if errors and errors[0].code else ""
    hint = (
        "the account, payment or document is unknown to the partner: check the account number and the URL setting"
        if status == 404
        else "fix the data the partner points at, or ask the partner why it refuses"
    )
    return PartnerRejected(
        f"{exchange.qualified_operation}: the partner refused {what} (HTTP {status}{code}): {reason}. "
        f"Expected a 2xx answer; {hint}.",
        exchange=exchange,
        status=status,
        errors=errors,
    )
