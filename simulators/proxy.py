"""The recording proxy (``partnersim record``): in front of a real partner or the sandbox.

Every request is forwarded as it came (method, the path below the proxy's root appended to the target's,
query, headers but the hop-by-hop ones, body) and the answer goes back unchanged (Hoverfly's capture
mode). Each exchange is matched to the partner's operation (``simulators.matching.locate``), checked
against the contract as it passes (violations printed at once, and kept in the exchange), scrubbed by
a ``Redactor`` and written as one YAML file in the contract's exchange format:
``<nnn>_<operation>.yaml``, ``source: recorded <UTC time> from <target>``. A request that matches no
operation is forwarded and recorded too, with the contract's near misses printed and noted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, quote

import requests

from contracts import Contract, Exchange, Redactor, Response, dump_exchanges, load_contract
from simulators.matching import locate, nearest_operations
from simulators.partner import PartnerSimulator

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

__all__ = ["RecordingProxy", "HOP_BY_HOP", "wsgi_headers", "wsgi_body", "status_line"]

#: Headers that belong to one connection, not to the message (RFC 9110 §7.6.1), and the ones the
#: transport recomputes (length, encoding: the body is passed on decoded).
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                        "transfer-encoding", "upgrade", "proxy-connection", "host", "content-length",
                        "content-encoding"})


def wsgi_headers(environ: WSGIEnvironment) -> dict[str, str]:
    """The request's headers as the client sent them (names title-cased), hop-by-hop ones left out."""
    out: dict[str, str] = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = key[5:].replace("_", "-").title()
            if name.lower() not in HOP_BY_HOP:
                out[name] = value
    if environ.get("CONTENT_TYPE"):
        out["Content-Type"] = environ["CONTENT_TYPE"]
    return out


def wsgi_body(environ: WSGIEnvironment, limit: int = 16 << 20) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream = environ["wsgi.input"]
    if length:
        data: bytes = stream.read(min(length, limit))
        return data
    if environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked":
        chunked: bytes = stream.read(limit)
        return chunked
    return b""


def wsgi_query(raw: str) -> dict[str, str | list[str]]:
    parsed = parse_qs(raw, keep_blank_values=True)
    return {k: (v[0] if len(v) == 1 else v) for k, v in parsed.items()}


def status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"


def _loopback(url: str) -> bool:
    import ipaddress
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class RecordingProxy:
    """A WSGI app: forwards to ``target``, answers what the target answered, records every exchange."""

    def __init__(self, partner: PartnerSimulator, target: str, out: Path, *, redactor: Redactor | None = None,
                 log: Callable[[str], None] = print, timeout: float = 60.0, contract: Contract | None = None) -> None:
        self.sim = partner
        self.partner = partner.name
        self.contract = contract or load_contract(self.partner)
        self.target = target.rstrip("/")
        self.out = out
        self.redactor = redactor or Redactor()
        self.log = log
        self.timeout = timeout
        self.session = requests.Session()
        # A proxy from the environment (a corporate one, for a partner's QA host) is used, but never for a
        # target on this machine (the sandbox).
        self.session.trust_env = not _loopback(self.target)
        self._lock = threading.Lock()
        out.mkdir(parents=True, exist_ok=True)
        self._count = max((int(p.name[:3]) for p in out.glob("[0-9][0-9][0-9]_*.yaml")), default=0)
        self.recorded: list[Path] = []

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        method = environ.get("REQUEST_METHOD", "GET").upper()
        path = environ.get("PATH_INFO", "") or "/"
        raw_query = environ.get("QUERY_STRING", "")
        headers = wsgi_headers(environ)
        body = wsgi_body(environ)
        url = self.target + quote(path, safe="/:@!$&'()*+,;=-._~%") + (f"?{raw_query}" if raw_query else "")
        located = locate(self.contract, method, path, wsgi_query(raw_query), headers, body)
        exchange = Exchange(partner=self.partner, operation=located.operation, request=located.request,
                            recorded_at=datetime.now(UTC).isoformat(timespec="milliseconds"))
        exchange.source = f"recorded {exchange.recorded_at} from {self.target}"
        try:
            answer = self.session.request(method, url, headers=headers, data=body or None, timeout=self.timeout,
                                          allow_redirects=False)
        except requests.RequestException as exc:
            detail = f"partnersim record: the target {self.target} gave no answer ({type(exc).__name__}: {exc})"
            exchange.notes = detail
            exchange.duration_ms = (time.perf_counter() - started) * 1000
            self._record(exchange)
            payload, media = self.sim.error_response(502, detail)
            start_response(status_line(502), [("Content-Type", media), ("Content-Length", str(len(payload)))])
            return [payload]
        content = answer.content or b""
        answer_headers = [(k, v) for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP]
        exchange.response = Response(status=answer.status_code, headers=dict(answer_headers), body=content)
        exchange.duration_ms = (time.perf_counter() - started) * 1000
        self._check(exchange, located.match is None)
        self._record(exchange)
        start_response(status_line(answer.status_code), [*answer_headers, ("Content-Length", str(len(content)))])
        return [content]

    def _check(self, exchange: Exchange, unmatched: bool) -> None:
        """The contract's verdict, printed as it passes and kept in the exchange (secrets not yet scrubbed,
        so that a check of a secret's form sees the secret)."""
        contract, request = self.contract, exchange.request
        status = exchange.response.status if exchange.response is not None else "no answer"
        if unmatched:
            misses = nearest_operations(contract, request)
            exchange.violations = contract.check_request(request)
            exchange.notes = "matches no operation of the contract; nearest: " + "; ".join(str(m) for m in misses)
            self.log(f"{self.partner} (no operation) {request.method} {request.path} {status}: matches no operation "
                     f"of the {self.partner} contract")
            for miss in misses:
                self.log(f"  near miss {miss}")
            return
        exchange.violations = contract.check_exchange(exchange)
        for violation in exchange.violations:
            self.log(f"{exchange.qualified_operation} {status}: {violation}")

    def _record(self, exchange: Exchange) -> None:
        safe = exchange.redacted(self.redactor)
        with self._lock:
            self._count += 1
            path = self.out / f"{self._count:03d}_{exchange.operation or 'unmatched'}.yaml"
            safe.id = path.stem
            dump_exchanges([safe], path)
            self.recorded.append(path)
