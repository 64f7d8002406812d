"""The one exchange format: a request, its response and where it came from.

Recorded examples (``contracts/<partner>/exchanges/``), journal entries, recordings and scenario
expectations all use it. On disk it is readable YAML with a format ``version``; bodies are kept
byte-faithful (text as a literal block, anything that is not UTF-8 as ``body_base64``).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from contracts.errors import ExchangeFormatError
from contracts.violation import Violation

__all__ = [
    "FORMAT_VERSION",
    "Request",
    "Response",
    "Exchange",
    "Redactor",
    "NAME_FIELDS",
    "NAME_PARTS",
    "load_exchanges",
    "dump_exchanges",
]

FORMAT_VERSION = 1
REDACTED = "<REDACTED>"
_FORM_REDACTED = b"%3CREDACTED%3E"  # REDACTED as a form value, as urlencode writes it

Query = dict[str, str | list[str]]


class _Message:
    """What requests and responses share: headers looked up without regard to case, a body."""

    __slots__ = ()
    headers: dict[str, str]
    body: bytes

    def header(self, name: str, default: str = "") -> str:
        lname = name.lower()
        for key, value in self.headers.items():
            if key.lower() == lname:
                return value
        return default

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(slots=True)
class Request(_Message):
    method: str
    path: str
    host: str = ""
    query: Query = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def query_value(self, name: str) -> str | None:
        value = self.query.get(name)
        if isinstance(value, list):
            return value[0] if value else None
        return value


@dataclass(slots=True)
class Response(_Message):
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(slots=True)
class Exchange:
    """One request and its response, with provenance and the contract's verdict."""

    partner: str
    request: Request
    response: Response | None = None
    operation: str = ""
    source: str = ""
    id: str = ""
    recorded_at: str = ""
    duration_ms: float | None = None
    violations: list[Violation] = field(default_factory=list)
    faults: list[dict[str, Any]] = field(default_factory=list)
    notes: str = ""

    @property
    def qualified_operation(self) -> str:
        return f"{self.partner}.{self.operation}" if self.operation else self.partner

    # -- mapping form -------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"version": FORMAT_VERSION}
        if self.id:
            data["id"] = self.id
        data["partner"] = self.partner
        if self.operation:
            data["operation"] = self.operation
        if self.source:
            data["source"] = self.source
        if self.recorded_at:
            data["recorded_at"] = self.recorded_at
        if self.duration_ms is not None:
            data["duration_ms"] = round(self.duration_ms, 3)
        req = self.request
        rdata: dict[str, Any] = {"method": req.method}
        if req.host:
            rdata["host"] = req.host
        rdata["path"] = req.path
        if req.query:
            rdata["query"] = dict(req.query)
        if req.headers:
            rdata["headers"] = dict(req.headers)
        _put_body(rdata, req.body)
        data["request"] = rdata
        if self.response is not None:
            resp = self.response
            sdata: dict[str, Any] = {"status": resp.status}
            if resp.headers:
                sdata["headers"] = dict(resp.headers)
            _put_body(sdata, resp.body)
            data["response"] = sdata
        if self.violations:
            data["violations"] = [v.to_dict() for v in self.violations]
        if self.faults:
            data["faults"] = list(self.faults)
        if self.notes:
            data["notes"] = self.notes
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, where: str = "exchange") -> Exchange:
        if not isinstance(data, Mapping):
            raise ExchangeFormatError(f"{where}: an exchange must be a mapping, found {type(data).__name__}")
        version = data.get("version", FORMAT_VERSION)
        if version != FORMAT_VERSION:
            raise ExchangeFormatError(
                f"{where}: exchange format version {version!r} is not known; this partnersim reads "
                f"version {FORMAT_VERSION}. Upgrade partnersim or re-record the exchange."
            )
        for key in ("partner", "request"):
            if key not in data:
                raise ExchangeFormatError(f"{where}: missing required key {key!r}")
        rdata = data["request"]
        if not isinstance(rdata, Mapping) or "method" not in rdata or "path" not in rdata:
            raise ExchangeFormatError(f"{where}: request needs at least 'method' and 'path'")
        request = Request(
            method=str(rdata["method"]).upper(),
            path=str(rdata["path"]),
            host=str(rdata.get("host", "")),
            query=_query(rdata.get("query") or {}, where),
            headers={str(k): str(v) for k, v in (rdata.get("headers") or {}).items()},
            body=_get_body(rdata, where),
        )
        response = None
        if data.get("response") is not None:
            sdata = data["response"]
            if not isinstance(sdata, Mapping) or "status" not in sdata:
                raise ExchangeFormatError(f"{where}: response needs a 'status'")
            response = Response(
                status=int(sdata["status"]),
                headers={str(k): str(v) for k, v in (sdata.get("headers") or {}).items()},
                body=_get_body(sdata, where),
            )
        return cls(
            partner=str(data["partner"]),
            operation=str(data.get("operation", "")),
            request=request,
            response=response,
            source=str(data.get("source", "")),
            id=str(data.get("id", "")),
            recorded_at=str(data.get("recorded_at", "")),
            duration_ms=data.get("duration_ms"),
            violations=[Violation.from_dict(v) for v in data.get("violations") or []],
            faults=list(data.get("faults") or []),
            notes=str(data.get("notes", "")),
        )

    def redacted(self, redactor: Redactor | None = None) -> Exchange:
        return (redactor or Redactor()).apply(self)


def _put_body(target: dict[str, Any], body: bytes) -> None:
    if not body:
        return
    try:
        target["body"] = body.decode("utf-8")
    except UnicodeDecodeError:
        text = base64.b64encode(body).decode("ascii")
        target["body_base64"] = "\n".join(text[i : i + 100] for i in range(0, len(text), 100)) + "\n"


def _get_body(source: Mapping[str, Any], where: str) -> bytes:
    if "body_base64" in source:
        try:
            return base64.b64decode("".join(str(source["body_base64"]).split()), validate=True)
        except ValueError as exc:
            raise ExchangeFormatError(f"{where}: body_base64 is not valid base64 ({exc})") from exc
    body = source.get("body")
    if body is None:
        return b""
    if isinstance(body, (dict, list)):
        # A convenience for hand-written exchanges: a structured body is stored as JSON.
        return json.dumps(body, indent=2).encode("utf-8")
    return str(body).encode("utf-8")


def _query(raw: Any, where: str) -> Query:
    if not isinstance(raw, Mapping):
        raise ExchangeFormatError(f"{where}: request query must be a mapping of name to value")
    out: Query = {}
    for key, value in raw.items():
        out[str(key)] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return out


# -- redaction ---------------------------------------------------------------------------------
_SECRET_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "proxy-authorization"})
_SECRET_FIELDS = frozenset(
    {"password", "username_or_email", "token", "auth", "entrykey", "consumerguid", "access_token"}
)

#: Account holders' names (``Redactor.with_names()``, ``partnersim record --scrub-names``), by field or element
#: name in any partner's messages: JSON and form fields, XML elements (Sapiens ``payerNM`` and
#: ``paymentPayerName``, also inside the CDATA payload). Lower case; compared without regard to case.
NAME_FIELDS = frozenset({
    "fullname", "full_name", "first_name", "last_name", "firstname", "lastname", "middle_name", "middlename",
    "customername", "customer_name", "insuredname", "insured_name", "payername", "payer_name", "payernm",
    "paymentpayername", "accountholdername", "account_holder_name", "nameonaccount", "name_on_account",
})
#: Names that are one part of a field's value: (field name, pattern whose group ``secret`` is the name).
#: TCCS's quote deposit ``contentInfo`` is "invoice | insured name | amount" for invoices that begin with Q
#: (design 002 §Quote Deposit; contracts/tccs/grammars.yaml ``insured_name``).
NAME_PARTS: tuple[tuple[str, str], ...] = (
    ("contentinfo", r"^\s*Q[^|@]*\|(?P<secret>[^|@]+)\|"),
)


@dataclass(frozen=True)
class Redactor:
    """Scrubs secrets before an exchange is written anywhere (vcrpy's filters).

    Header values, JSON fields and form fields whose names are listed are replaced by
    ``<REDACTED>``; ``extra_fields`` adds partner-specific names (an account holder's name, say).
    """

    headers: frozenset[str] = _SECRET_HEADERS
    fields: frozenset[str] = _SECRET_FIELDS
    extra_fields: frozenset[str] = frozenset()
    parts: tuple[tuple[str, str], ...] = ()  # (field, pattern): only the pattern's group ``secret`` is scrubbed

    @classmethod
    def with_names(cls) -> Redactor:
        """Secrets and account holders' names (``NAME_FIELDS``, ``NAME_PARTS``)."""
        return cls(extra_fields=NAME_FIELDS, parts=NAME_PARTS)

    def apply(self, exchange: Exchange) -> Exchange:
        req = exchange.request
        new_req = replace(
            req,
            headers=self._headers(req.headers),
            body=self._body(req.body, req.header("content-type")),
        )
        new_resp = None
        if exchange.response is not None:
            resp = exchange.response
            new_resp = replace(
                resp,
                headers=self._headers(resp.headers),
                body=self._body(resp.body, resp.header("content-type")),
            )
        return replace(exchange, request=new_req, response=new_resp)

    @cached_property
    def _looked_for(self) -> tuple[bytes, ...]:
        """The field names whose presence means a body may hold something to scrub (computed once: every
        journalled request with a body is looked at)."""
        return tuple(sorted(n.encode() for n in self.fields | self.extra_fields | {n for n, _ in self.parts}))

    @cached_property
    def _loose_pattern(self) -> re.Pattern[bytes]:
        names = "|".join(re.escape(n) for n in sorted(self.fields | self.extra_fields))
        return re.compile(rb"(^|[&;])(" + names.encode() + rb")=[^&;]*", re.IGNORECASE)

    def _may_hold_secret(self, body: bytes) -> bool:
        """A cheap look before parsing: no secret field name anywhere, nothing to scrub."""
        lowered = body.lower()
        return any(name in lowered for name in self._looked_for)

    def _secret(self, name: str) -> bool:
        lname = name.lower()
        return lname in self.fields or lname in self.extra_fields

    def _value(self, name: str, value: str) -> str:
        """A field's value with what is secret in it scrubbed: all of it, or the parts ``parts`` name."""
        if self._secret(name):
            return REDACTED
        lname = name.lower()
        for field_name, pattern in self.parts:
            if field_name == lname:
                value = re.sub(pattern, lambda m: m.group(0)[: m.start("secret") - m.start(0)] + REDACTED
                               + m.group(0)[m.end("secret") - m.start(0):], value)
        return value

    def _headers(self, headers: dict[str, str]) -> dict[str, str]:
        return {k: (REDACTED if k.lower() in self.headers else v) for k, v in headers.items()}

    def _body(self, body: bytes, content_type: str) -> bytes:
        if not body or not self._may_hold_secret(body):
            return body
        # A JSON body under no or the wrong Content-Type (a client that forgot the header still sent its
        # Spectrum token and password) is scrubbed as JSON too.
        if "json" in content_type or body.lstrip()[:1] in (b"{", b"["):
            try:
                doc = json.loads(body)
            except (ValueError, RecursionError):
                return self._loose_form(body)
            scrubbed = self._json(doc)
            # Keep the bytes as sent unless there was a secret to scrub (the journal stays faithful).
            return body if scrubbed == doc else json.dumps(scrubbed, indent=2).encode("utf-8")
        if "x-www-form-urlencoded" in content_type:
            from urllib.parse import parse_qsl, urlencode

            pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
            scrubbed_pairs = [(k, self._value(k, v)) for k, v in pairs]
            return body if scrubbed_pairs == pairs else urlencode(scrubbed_pairs).encode()
        if "xml" in content_type:
            return self._xml(body)
        return self._loose_form(body)

    def _loose_form(self, body: bytes) -> bytes:
        """``name=value`` pairs of a body that is not labelled a form (no or the wrong Content-Type: a client
        that forgot the header still sent its TCCS ``entryKey``), scrubbed in place; the rest stays as sent."""
        body = self._loose_pattern.sub(lambda m: m.group(1) + m.group(2) + b"=" + _FORM_REDACTED, body)
        if self.parts:
            from urllib.parse import quote_plus, unquote_plus

            part_names = "|".join(re.escape(n) for n, _ in self.parts)
            in_part = re.compile(rb"(^|[&;])(" + part_names.encode() + rb")=([^&;]*)", re.IGNORECASE)

            def scrub(m: re.Match[bytes]) -> bytes:
                value = unquote_plus(m.group(3).decode("utf-8", "replace"))
                scrubbed = self._value(m.group(2).decode(), value)
                if scrubbed == value:
                    return m.group(0)
                return m.group(1) + m.group(2) + b"=" + quote_plus(scrubbed, safe="|:@/").encode()

            body = in_part.sub(scrub, body)
        return body

    def _xml(self, body: bytes) -> bytes:
        """The text of every element whose local name is a secret (``<wsse:Password>``), scrubbed in place:
        a regular expression rather than a parse, so the rest of the bytes stay exactly as sent."""
        names = "|".join(re.escape(n) for n in sorted(self.fields | self.extra_fields))
        pattern = re.compile(rb"(<(?:[\w.-]+:)?(?:" + names.encode() + rb")\b[^>]*(?<!/)>)(.*?)(</(?:[\w.-]+:)?(?:"
                             + names.encode() + rb")\s*>)", re.IGNORECASE | re.DOTALL)
        escaped = REDACTED.replace("<", "&lt;").replace(">", "&gt;").encode()  # still well-formed XML
        return pattern.sub(lambda m: m.group(1) + escaped + m.group(3), body)

    def _json(self, doc: Any) -> Any:
        if isinstance(doc, dict):
            return {k: (self._value(k, v) if isinstance(v, str) else self._json(v)) for k, v in doc.items()}
        if isinstance(doc, list):
            return [self._json(v) for v in doc]
        return doc


# -- files -------------------------------------------------------------------------------------
class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str_presenter)


def dump_exchanges(exchanges: Iterable[Exchange], path: Path | None = None) -> str:
    """YAML for one exchange (a mapping) or several (a list); written to ``path`` when given."""
    items = [e.to_dict() for e in exchanges]
    doc: Any = items[0] if len(items) == 1 else items
    text = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)
    if path is not None:
        path.write_text(text, encoding="utf-8")
    return text


def load_exchanges(path: Path) -> list[Exchange]:
    """Read a file holding one exchange or a list of them."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ExchangeFormatError(f"{path}: cannot read exchange file: {exc}") from exc
    items = doc if isinstance(doc, list) else [doc]
    return [Exchange.from_dict(item, where=f"{path}[{i}]") for i, item in enumerate(items)]
