"""Which partner call a request is, and how two calls differ, in the partner's own terms.

Shared by the recording proxy (``simulators.proxy``) and the replay server (``simulators.replay``):

* ``locate``: the partner host and the partner's own path of a URL path, whatever prefix sits in front
  of it (the sandbox's ``/tccs``, a QA host's ``/qa``): the longest suffix of the path that one of the
  contract's operations matches (as ``adapters._http.locate`` does for one operation).
* ``call_fields``: what identifies a call beyond its operation: the path parameters, the query, and the
  body's fields named as the partner names them (``/data/attributes/payment_amount`` in JSON,
  ``form contentInfo``, ``envelope /Envelope/Body/.../ActionCode``, ``payload /remitBatch/remit/...`` for
  the XML inside a SOAP ``<Data>``).
* ``differences``: the fields in which a received request differs from a recorded one (pytest-httpserver's
  ``RequestMatcher.difference()``). A recorded value that holds ``<REDACTED>`` matches anything in that
  place: a scrubbed password or insured name cannot be compared, and must not stop a replay.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl

from contracts import Contract, NearMiss, OperationMatch, Request
from contracts.exchange import REDACTED

__all__ = ["Located", "Difference", "locate", "call_fields", "differences", "nearest_operations", "VOLATILE_FIELDS"]

#: Element and field names whose values change on every call of the same request (WS-Security's nonce
#: and timestamps; Sapiens's ``TransRef``, a fresh id per call, and ``ReqDateTime``): never compared.
VOLATILE_FIELDS = frozenset({"nonce", "created", "expires", "timestamp", "reqdatetime", "transref"})

_MISSING = "(absent)"


@dataclass(frozen=True)
class Located:
    """A request as the contract sees it: the partner's host and own path, and the operation (or None)."""

    request: Request
    match: OperationMatch | None

    @property
    def operation(self) -> str:
        return self.match.operation.name if self.match is not None else ""


@dataclass(frozen=True)
class Difference:
    """One field in which a received request differs from a recorded one."""

    field: str
    recorded: str
    received: str

    def __str__(self) -> str:
        return f"{self.field}: recorded {self.recorded!r}, received {self.received!r}"


def _hosts(contract: Contract) -> set[str]:
    return {op.host for op in contract.operations() if op.host}


def locate(contract: Contract, method: str, path: str, query: Mapping[str, str | list[str]] | None = None,
           headers: Mapping[str, str] | None = None, body: bytes = b"") -> Located:
    """The partner's call at ``path`` (a full URL path, any prefix in front of the partner's own path)."""
    segments = (path or "/").split("/")
    base = Request(method=method.upper(), path=path or "/", query=dict(query or {}), headers=dict(headers or {}),
                   body=body)
    for start in range(1, len(segments)):
        candidate = "/" + "/".join(segments[start:])
        probe = Request(method=base.method, path=candidate, query=base.query, headers=base.headers, body=body)
        found = contract.match(probe)
        if found is not None:
            probe.host = found.operation.host
            return Located(probe, found)
    # No operation: split at a segment that names one of the partner's hosts, if any.
    hosts = _hosts(contract)
    for index, segment in enumerate(segments[1:], start=1):
        if segment in hosts:
            rest = "/" + "/".join(segments[index + 1:])
            return Located(Request(method=base.method, path=rest, host=segment, query=base.query,
                                   headers=base.headers, body=body), None)
    return Located(base, None)


def nearest_operations(contract: Contract, request: Request, limit: int = 3) -> list[NearMiss]:
    """The contract's near misses, those with as few differences first and, among them, the operation
    whose path reads most like the request's (``Pay_Inptu`` is nearest ``Pay_Input``)."""
    from difflib import SequenceMatcher

    misses = contract.near_misses(request, limit=len(contract.operations()))
    misses.sort(key=lambda m: (len(m.differences),
                               -SequenceMatcher(None, m.operation.path.lower(), request.path.lower()).ratio()))
    return misses[:limit]


# -- the fields of a call ---------------------------------------------------------------------------
def call_fields(located: Located) -> dict[str, str]:
    """Every field that identifies the call, named in the partner's terms, as text."""
    request = located.request
    out: dict[str, str] = {}
    if located.match is not None:
        for name, value in located.match.path_params.items():
            out[f"path {name}"] = value
    else:
        out["path"] = request.path
    for name, given in sorted(request.query.items()):
        out[f"query {name}"] = ",".join(given) if isinstance(given, list) else given
    out.update(body_fields(request.body, request.header("content-type")))
    return {k: v for k, v in out.items() if k.rsplit("/", 1)[-1].rsplit(" ", 1)[-1].lower() not in VOLATILE_FIELDS}


def body_fields(body: bytes, content_type: str) -> dict[str, str]:
    if not body.strip():
        return {}
    media = content_type.split(";", 1)[0].strip().lower()
    head = body.lstrip()[:1]
    if "json" in media or head in (b"{", b"["):
        try:
            return dict(_json_fields(json.loads(body), ""))
        except (ValueError, RecursionError):
            pass
    if "xml" in media or head == b"<":
        fields = _xml_fields(body, "envelope")
        if fields is not None:
            return fields
    if media == "application/x-www-form-urlencoded" or (b"=" in body and b"\n" not in body.strip()):
        pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        if pairs:
            return {f"form {k}": v for k, v in pairs}
    return {"body": body.decode("utf-8", "replace")}


def _json_fields(doc: Any, pointer: str) -> Iterator[tuple[str, str]]:
    if isinstance(doc, dict):
        if not doc:
            yield pointer or "/", "{}"
        for key, value in doc.items():
            yield from _json_fields(value, f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}")
    elif isinstance(doc, list):
        if not doc:
            yield pointer or "/", "[]"
        for index, value in enumerate(doc):
            yield from _json_fields(value, f"{pointer}/{index}")
    else:
        yield pointer or "/", json.dumps(doc) if not isinstance(doc, str) else doc


def _xml_fields(body: bytes | str, kind: str) -> dict[str, str] | None:
    from lxml import etree

    from contracts.xmlbody import XmlProblem, parse_xml

    text = body.strip() if isinstance(body, str) else body.strip()
    if isinstance(text, str):
        # A payload carried as text, maybe inside the literal <![CDATA[ ... ]]> Sapiens wraps it in.
        text = re.sub(r"^<!\[CDATA\[|\]\]>$", "", text).strip()
        text = re.sub(r"^<\?xml[^>]*\?>", "", text).strip()
    try:
        root = parse_xml(text, part=kind)
    except (XmlProblem, ValueError):
        return None
    out: dict[str, str] = {}

    def walk(element: Any, path: str) -> None:
        children = [c for c in element if isinstance(c.tag, str)]
        seen: dict[str, int] = {}
        for child in children:
            name = etree.QName(child).localname
            seen[name] = seen.get(name, 0) + 1
        counts: dict[str, int] = {}
        for child in children:
            name = etree.QName(child).localname
            counts[name] = counts.get(name, 0) + 1
            step = f"{name}[{counts[name]}]" if seen[name] > 1 else name
            walk(child, f"{path}/{step}")
        for attr, value in sorted(element.attrib.items()):
            out[f"{kind} {path}/@{etree.QName(attr).localname}"] = str(value)
        if not children:
            value = (element.text or "").strip()
            nested = _xml_fields(value, "payload") if value.startswith("<") and kind == "envelope" else None
            if nested is not None:
                out.update(nested)
            else:
                out[f"{kind} {path}"] = value

    walk(root, "/" + etree.QName(root).localname)
    return out


# -- comparing ------------------------------------------------------------------------------------
@lru_cache(maxsize=256)
def _wildcard(recorded: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in recorded.split(REDACTED)]
    return re.compile(".*?".join(parts), re.DOTALL)


def same_value(recorded: str, received: str) -> bool:
    if REDACTED in recorded:
        return _wildcard(recorded).fullmatch(received) is not None
    return recorded == received


def differences(recorded: Located, received: Located) -> list[Difference]:
    """The fields in which ``received`` differs from ``recorded``; empty when it is the same call."""
    a, b = recorded.request, received.request
    out: list[Difference] = []
    if a.method != b.method:
        out.append(Difference("method", a.method, b.method))
    if a.host and b.host and a.host != b.host:
        out.append(Difference("host", a.host, b.host))
    if recorded.operation != received.operation:
        out.append(Difference("operation", recorded.operation or f"none ({a.path})",
                              received.operation or f"none ({b.path})"))
        return out  # the fields of two different operations say nothing more
    fields_a, fields_b = call_fields(recorded), call_fields(received)
    for name in list(fields_a) + [n for n in fields_b if n not in fields_a]:
        value_a, value_b = fields_a.get(name, _MISSING), fields_b.get(name, _MISSING)
        if not same_value(value_a, value_b):
            out.append(Difference(name, value_a, value_b))
    return out
