"""Provider verification (``partnersim verify --against``): does the live partner still speak its contract?

The contract's recorded requests are replayed against a partner environment (the sandbox, a partner's QA
host) and each answer is checked against the contract, as Pact's provider verification does:

* *which requests*: the exchanges of read-only operations (``OperationInfo.safe``: OpenAPI GET, the
  ``safe: true`` of Sapiens' ``operations.yaml``, ``x-partnersim-safe`` on an OpenAPI operation such as
  TCCS's ``ARState_Output``). Writes only with ``allow_writes``, and then only when every identifier the
  request names (account, invoice, policy numbers, payment ids, TCCS's ``contentInfo`` invoice) is listed in
  the fixture file: a request that would write to anything else is refused, never sent. An exchange that
  records a contract violation on purpose (a design's malformed sample) is not replayed.
* *credentials*: the placeholders of the recordings (``<PASSWORD>``, ``<CONSUMER_GUID>``, ``<ENTRY_KEY>``,
  ``<API_TOKEN>``, ``<<username>>``...) and the credential fields of a request (JSON ``username`` /
  ``password`` / ``token``, form ``consumerGUID`` / ``entryKey``, WS-Security ``Username`` / ``Password``,
  HTTP Basic) are filled from the credential set (the sandbox's ``/__admin/credentials`` keys). Tokens and
  sessions are obtained first, by replaying the exchanges whose recorded answer carries one (``<JWT>`` in
  the body, ``<SESSIONID>`` in a cookie): the live answer's value at the same place fills the later requests.
* *checks*: the contract's own (``check_response``: schema, SOAP envelope and the CDATA payload's XSD,
  TCCS's answer shape), the status the recording answers, and the business outcome it states
  (``Contract.outcome``: Sapiens ``ReturnCode``, TCCS ``Status``).

Every difference is a ``Violation`` in the partner's terms, reported per exchange.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus
from xml.sax.saxutils import escape

import requests
import yaml

from contracts import Contract, Exchange, HarnessError, Request, Response, Violation

__all__ = ["ProviderReport", "ExchangeOutcome", "ProviderVerifier", "load_fixtures", "load_credentials",
           "identifiers", "VerifyConnectionError"]


class VerifyConnectionError(HarnessError):
    """The partner environment did not answer at all (refused, unreachable, timed out)."""


#: Placeholders of the recordings and the credential each stands for.
PLACEHOLDERS: Mapping[str, str] = {
    "<USERNAME>": "username", "<<username>>": "username",
    "<PASSWORD>": "password", "<<password>>": "password",
    "<CONSUMER_GUID>": "tccs_consumer_guid", "<ENTRY_KEY>": "tccs_entry_key", "<API_TOKEN>": "spectrum_api_token",
}
#: Request fields (JSON, form, XML element local names; lower case) that carry a credential, whatever the
#: recording holds there (Sapiens' recordings carry the sandbox's ``sandbox`` / ``sandbox``).
CREDENTIAL_FIELDS: Mapping[str, str] = {
    "username": "username", "username_or_email": "username", "password": "password",
    "token": "spectrum_api_token", "consumerguid": "tccs_consumer_guid", "entrykey": "tccs_entry_key",
}
#: Secrets a partner hands out (a token in an answer's body, a session cookie), filled in later requests.
OBTAINED = ("<JWT>", "<SESSIONID>")

#: What names a thing on the partner's side that a write changes: leaf field names, lower case, ``_`` dropped.
_IDENTIFIER = re.compile(r"^(acct|account|billacct|invoice|policy|agreement|payment|paymentreference|mc|remit)"
                         r"(name|number|nbr|cd|id|guid)?$")
_GRAMMAR_IDENTIFIERS = ("invoice", "payment_guid")


def load_credentials(path: Path | None, defaults: Mapping[str, str]) -> dict[str, str]:
    """The credential set: the file's keys (YAML, the sandbox's ``/__admin/credentials`` keys) over ``defaults``."""
    if path is None:
        return dict(defaults)
    doc = _yaml_mapping(path, "credentials")
    unknown = sorted(set(doc) - set(defaults))
    if unknown:
        raise HarnessError(f"{path}: unknown credential keys {unknown}; valid keys: {sorted(defaults)}")
    return {**defaults, **{str(k): str(v) for k, v in doc.items()}}


def load_fixtures(path: Path) -> frozenset[str]:
    """The identifiers a write may name: ``{identifiers: [...]}`` (YAML)."""
    doc = _yaml_mapping(path, "fixtures")
    ids = doc.get("identifiers")
    if not isinstance(ids, list) or not all(isinstance(i, (str, int)) for i in ids):
        raise HarnessError(f"{path}: expected 'identifiers:' with a list of account, invoice, policy numbers or "
                           "payment ids, e.g. {identifiers: [ACCT0001, 454100010-06/16/2020]}")
    return frozenset(str(i) for i in ids)


def _yaml_mapping(path: Path, what: str) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise HarnessError(f"{path}: cannot read the {what} file: {exc}") from exc
    if not isinstance(doc, dict):
        raise HarnessError(f"{path}: the {what} file must be a YAML mapping")
    return doc


def identifiers(contract: Contract, request: Request) -> dict[str, str]:
    """The identifiers a request names (field in the partner's terms -> value): what a write would change."""
    from simulators.matching import call_fields, locate

    located = locate(contract, request.method, request.path, request.query, request.headers, request.body)
    if located.match is None:
        return {}
    out: dict[str, str] = {}
    for name, value in call_fields(located).items():
        leaf = re.split(r"[/ ]", name)[-1].lstrip("@").lower().replace("_", "").replace("-", "")
        if _IDENTIFIER.match(leaf) and value:
            out[name] = value
    grammars = getattr(contract, "grammars", None)  # a partner whose fields live inside a form field (TCCS)
    if grammars is not None:
        kind = grammars.form_field
        out.pop(f"form {kind}", None)
        for part in _GRAMMAR_IDENTIFIERS:
            found = contract.field(located.request, f"{kind} {part}")
            if found:
                out[f"{kind} {part}"] = found
    return out


@dataclass
class ExchangeOutcome:
    """One recorded exchange: replayed and checked, or not replayed and why."""

    id: str
    operation: str
    replayed: bool = False
    reason: str = ""  # why not replayed
    status: int | None = None
    violations: list[Violation] = field(default_factory=list)

    def partner_operation(self, partner: str) -> str:
        return f"{partner}.{self.operation}" if self.operation else partner

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "operation": self.operation, "replayed": self.replayed}
        if self.reason:
            out["reason"] = self.reason
        if self.status is not None:
            out["status"] = self.status
        out["violations"] = [v.to_dict() for v in self.violations]
        return out


@dataclass
class ProviderReport:
    partner: str
    against: str
    outcomes: list[ExchangeOutcome] = field(default_factory=list)

    @property
    def drift(self) -> int:
        return sum(len(o.violations) for o in self.outcomes)

    def to_dict(self) -> dict[str, Any]:
        return {"partner": self.partner, "against": self.against, "drift": self.drift,
                "exchanges": [o.to_dict() for o in self.outcomes]}

    def lines(self) -> Iterator[str]:
        replayed = sum(o.replayed for o in self.outcomes)
        yield f"{self.partner} against {self.against}: {replayed} exchange(s) replayed, {self.drift} difference(s)"
        for o in self.outcomes:
            if not o.replayed:
                yield f"  skip  {o.id} ({o.partner_operation(self.partner)}): {o.reason}"
                continue
            yield f"  {'ok   ' if not o.violations else 'DRIFT'} {o.id} ({o.partner_operation(self.partner)}) -> {o.status}"
            for v in o.violations:
                yield f"         {self.partner}.{o.operation}: {_partner_terms(v)}"


def _partner_terms(v: Violation) -> str:
    """``response /RecordBal: expected ..., found 125`` (the part of the message, then where in it)."""
    location = v.location
    for old, new in (("response body ", "response "), ("response payload ", "response payload ")):
        if location.startswith(old):
            location = new + location[len(old):]
    return str(Violation(location, v.expected, v.found, v.contract, v.message))


class ProviderVerifier:
    """Replays a contract's recorded requests against ``base_url`` and checks the answers."""

    def __init__(self, contract: Contract, base_url: str, credentials: Mapping[str, str], *,
                 hosts: Mapping[str, str] | None = None, allow_writes: bool = False,
                 fixtures: frozenset[str] = frozenset(), timeout: float = 10.0,
                 session: requests.Session | None = None) -> None:
        self.contract = contract
        self.base_url = base_url.rstrip("/")
        self.credentials = dict(credentials)
        self.hosts = {k: v.rstrip("/") for k, v in (hosts or {}).items()}
        self.allow_writes = allow_writes
        self.fixtures = fixtures
        self.timeout = timeout
        self.http = session or requests.Session()
        self.http.trust_env = False if session is None else self.http.trust_env
        self.obtained: dict[str, str] = {}

    # -- the run ----------------------------------------------------------------------------------
    def verify(self) -> ProviderReport:
        report = ProviderReport(self.contract.partner, self.base_url)
        exchanges = [e for e in self.contract.exchanges if e.response is not None]
        auth = [e for e in exchanges if _hands_out_secret(e)]
        for exchange in auth + [e for e in exchanges if e not in auth]:
            report.outcomes.append(self._one(exchange, is_auth=exchange in auth))
        return report

    def _one(self, exchange: Exchange, *, is_auth: bool) -> ExchangeOutcome:
        match = self.contract.match(exchange.request)
        outcome = ExchangeOutcome(exchange.id, exchange.operation or (match.operation.name if match else ""))
        if match is None:
            outcome.reason = "its request matches no operation of the contract (partnersim verify without --against says why)"
            return outcome
        if exchange.violations:
            outcome.reason = "it records a contract violation on purpose (a design's malformed sample)"
            return outcome
        if not (is_auth or match.operation.safe):
            refused = self._refusal(exchange)
            if refused:
                outcome.reason = refused
                return outcome
        request = self._filled(exchange.request)
        missing = sorted(p for p in OBTAINED if p in _request_text(request))
        if missing:
            outcome.reason = (f"it needs {', '.join(missing)}, which no recorded exchange obtained from the partner "
                              "(record the partner's token or session exchange)")
            return outcome
        response = self._send(request)
        outcome.replayed, outcome.status = True, response.status
        outcome.violations = self._check(exchange, request, response)
        if is_auth:
            self._take_secrets(exchange, response)
        return outcome

    def _refusal(self, exchange: Exchange) -> str:
        """Why a write is not sent, or "" when it may be."""
        op = exchange.operation
        if not self.allow_writes:
            return f"{op} writes to the partner (not a safe, read-only operation); --allow-writes with --fixtures replays it"
        ids = identifiers(self.contract, exchange.request)
        if not ids:
            return f"{op} writes and names no identifier that the fixture file could allow"
        unlisted = {name: value for name, value in ids.items() if value not in self.fixtures}
        if unlisted:
            named = ", ".join(f"{name} {value!r}" for name, value in unlisted.items())
            return f"refused: {op} would write to {named}, which the fixture file does not list"
        return ""

    # -- requests ---------------------------------------------------------------------------------
    def _filled(self, request: Request) -> Request:
        values = {p: self.credentials[key] for p, key in PLACEHOLDERS.items() if key in self.credentials}
        values.update(self.obtained)

        def fill(text: str) -> str:
            for placeholder, value in values.items():
                text = text.replace(placeholder, value)
            return text

        headers = {k: fill(v) for k, v in request.headers.items()}
        for name, value in headers.items():
            if name.lower() == "authorization" and value.lower().startswith("basic "):
                pair = f"{self.credentials.get('username', '')}:{self.credentials.get('password', '')}"
                headers[name] = "Basic " + base64.b64encode(pair.encode()).decode()
        query: dict[str, str | list[str]] = {k: [fill(x) for x in v] if isinstance(v, list) else fill(v)
                                             for k, v in request.query.items()}
        body = self._credential_fields(fill(request.body.decode("utf-8", "surrogateescape")),
                                       request.header("content-type"))
        return Request(method=request.method, path=fill(request.path), host=request.host, query=query,
                       headers=headers, body=body.encode("utf-8", "surrogateescape"))

    def _credential_fields(self, body: str, content_type: str) -> str:
        for name, key in CREDENTIAL_FIELDS.items():
            value = self.credentials.get(key)
            if value is None:
                continue
            flags = re.IGNORECASE
            body = re.sub(rf'("{re.escape(name)}"\s*:\s*)"(?:[^"\\]|\\.)*"', lambda m: m.group(1) + json.dumps(value),
                          body, flags=flags)
            if "x-www-form-urlencoded" in content_type:
                body = re.sub(rf"(^|[&;])({re.escape(name)})=[^&;]*",
                              lambda m: f"{m.group(1)}{m.group(2)}={quote_plus(value)}", body, flags=flags)
            if "xml" in content_type:
                body = re.sub(rf"(<(?:[\w.-]+:)?{re.escape(name)}\b[^>]*(?<!/)>)(.*?)(</(?:[\w.-]+:)?{re.escape(name)}\s*>)",
                              lambda m: m.group(1) + escape(value) + m.group(3), body, flags=flags | re.DOTALL)
        return body

    def url(self, request: Request) -> str:
        base = self.hosts.get(request.host) if request.host else None
        if base is None:
            base = self.base_url + (f"/{request.host}" if request.host else "")
        return base + request.path

    def _send(self, request: Request) -> Response:
        url = self.url(request)
        try:
            answer = self.http.request(request.method, url, params=request.query or None, headers=request.headers,
                                       data=request.body or None, timeout=self.timeout, allow_redirects=False)
        except requests.RequestException as exc:
            raise VerifyConnectionError(f"{request.method} {url}: the partner did not answer ({exc})") from exc
        headers = {k: v for k, v in answer.headers.items()}
        return Response(status=answer.status_code, headers=headers, body=answer.content)

    def _take_secrets(self, exchange: Exchange, response: Response) -> None:
        recorded = exchange.response
        assert recorded is not None
        if b"<JWT>" in recorded.body:
            try:
                doc, live = json.loads(recorded.body), json.loads(response.body)
            except ValueError:
                return
            for pointer in _pointers_holding(doc, "<JWT>"):
                value = _at(live, pointer)
                if isinstance(value, str) and value:
                    self.obtained["<JWT>"] = value
        cookie = recorded.header("set-cookie")
        m = re.match(r"\s*([^=;\s]+)=<SESSIONID>", cookie)
        if m:
            live_cookie = re.search(rf"(?:^|[,;]\s*){re.escape(m.group(1))}=([^;,\s]+)", response.header("set-cookie"))
            if live_cookie:
                self.obtained["<SESSIONID>"] = live_cookie.group(1)

    # -- checks -----------------------------------------------------------------------------------
    def _check(self, exchange: Exchange, request: Request, response: Response) -> list[Violation]:
        recorded = exchange.response
        assert recorded is not None
        out: list[Violation] = []
        if response.status != recorded.status:
            out.append(Violation("status", str(recorded.status), str(response.status), exchange.id,
                                 "the status the recorded exchange answers"))
        out.extend(self.contract.check_response(request, response))
        expected, found = self.contract.outcome(recorded), self.contract.outcome(response)
        for name, value in expected.items():
            if found.get(name) != value:
                out.append(Violation(f"response {name}", value, found.get(name) or "absent", exchange.id,
                                     "the outcome the recorded exchange answers"))
        return out


def _hands_out_secret(exchange: Exchange) -> bool:
    """Whether the recorded answer carries a secret that later requests send back (a token, a session)."""
    response = exchange.response
    return response is not None and (b"<JWT>" in response.body or "<SESSIONID>" in response.header("set-cookie"))


def _request_text(request: Request) -> str:
    return " ".join([request.path, *request.headers.values(), request.body.decode("utf-8", "replace")])


def _pointers_holding(doc: Any, text: str, pointer: str = "") -> Iterator[str]:
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _pointers_holding(value, text, f"{pointer}/{key}")
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            yield from _pointers_holding(value, text, f"{pointer}/{index}")
    elif isinstance(doc, str) and text in doc:
        yield pointer


def _at(doc: Any, pointer: str) -> Any:
    for part in pointer.split("/")[1:]:
        if isinstance(doc, dict) and part in doc:
            doc = doc[part]
        elif isinstance(doc, list) and part.isdigit() and int(part) < len(doc):
            doc = doc[int(part)]
        else:
            return None
    return doc
