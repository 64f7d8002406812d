"""The transport: send one request over ``requests`` and answer the ``contracts.Exchange`` it made.

The biller's settings give full URL templates; the exchange records the partner's *own* host and
path (``billing``, ``/api/v1/accounts/ACCT0001/``) so that it compares with the contract, the
simulator's journal and recordings of the real partner. The base URL's path prefix (the sandbox
mounts IMT's billing host at ``/imt/billing``) is found by matching the URL's path against the
contract's path template of the operation being called: the longest suffix that matches is the
partner's path, the rest is the prefix.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import requests

from contracts import Contract, Exchange, Request, Response

from adapters.errors import AdapterConfigError, PartnerUnavailable

__all__ = ["Target", "expand_url", "locate", "Transport"]

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
Query = dict[str, str | list[str]]


@dataclass(frozen=True)
class Target:
    """Where one call goes: the URL to send to, and the partner's own host and path for the exchange."""

    operation: str
    method: str
    url: str
    host: str
    path: str
    query: Query


def placeholders(template: str) -> set[str]:
    return set(_PLACEHOLDER.findall(template))


def expand_url(template: str, values: Mapping[str, str | None], extra_query: Mapping[str, str] = {}) -> str:
    """Fill a URL template; a query parameter whose placeholder has no value is left out entirely.

    (Design 000 §RTDR: ``customer_username`` is optional, "if not provided, we will not send anything".)
    Path values are percent-encoded as one segment each; ``extra_query`` is appended.
    """
    parts = urlsplit(template)

    def fill_path(m: re.Match[str]) -> str:
        value = values.get(m.group(1))
        if not value:
            raise KeyError(m.group(1))
        return quote(value, safe="")

    path = _PLACEHOLDER.sub(fill_path, parts.path)
    pairs: list[tuple[str, str]] = []
    for key, raw in parse_qsl(parts.query, keep_blank_values=True):
        names = _PLACEHOLDER.findall(raw)
        if any(not values.get(name) for name in names):
            continue
        pairs.append((key, _PLACEHOLDER.sub(lambda m: values[m.group(1)] or "", raw)))
    pairs.extend(extra_query.items())
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(pairs), ""))


def locate(contract: Contract, operation: str, method: str, url: str) -> tuple[str, str] | None:
    """(host, partner path) of ``url`` for ``operation``, or None when no suffix of its path matches."""
    segments = (urlsplit(url).path or "/").split("/")
    for start in range(1, len(segments)):
        candidate = "/" + "/".join(segments[start:])
        found = contract.match(Request(method=method, path=candidate))
        if found is not None and found.operation.name == operation:
            return found.operation.host, candidate
    return None


def query_of(url: str) -> Query:
    out: Query = {}
    for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        previous = out.get(key)
        if previous is None:
            out[key] = value
        elif isinstance(previous, list):
            previous.append(value)
        else:
            out[key] = [previous, value]
    return out


class Transport:
    """Sends a request, records its exchange in ``sink`` (before sending), and fills in the answer.

    Connection errors and timeouts raise ``PartnerUnavailable`` carrying the exchange with no response.
    Redirects are followed for GET only (a 301 to the slashed URL is common; a POST must not turn
    into a GET); the exchange notes where it was redirected.
    """

    def __init__(self, partner: str, session: requests.Session, timeout: float, sink: list[Exchange]) -> None:
        self.partner = partner
        self.session = session
        self.timeout = timeout
        self.sink = sink

    def send(self, target: Target, headers: Mapping[str, str], body: bytes = b"") -> Exchange:
        try:
            prepared = self.session.prepare_request(
                requests.Request(target.method, target.url, headers=dict(headers), data=body or None)
            )
        except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema) as exc:
            raise AdapterConfigError(f"{self.partner}.{target.operation}: cannot send to {target.url!r}: {exc}") from exc
        exchange = Exchange(
            partner=self.partner,
            operation=target.operation,
            request=Request(
                method=target.method,
                path=target.path,
                host=target.host,
                query=target.query,
                headers={k: str(v) for k, v in prepared.headers.items()},
                body=body,
            ),
            source=f"adapters.{self.partner} (client side)",
            recorded_at=datetime.now(UTC).isoformat(timespec="milliseconds"),
        )
        self.sink.append(exchange)
        started = time.perf_counter()
        try:
            env = self.session.merge_environment_settings(prepared.url, {}, None, None, None)
            answer = self.session.send(
                prepared, timeout=self.timeout, allow_redirects=target.method == "GET", **env
            )
        except requests.exceptions.Timeout as exc:
            exchange.duration_ms = (time.perf_counter() - started) * 1000
            raise PartnerUnavailable(
                f"{exchange.qualified_operation}: no answer from {target.url} within {self.timeout:g} s. "
                "The partner may be slow or down; retry later or raise the biller's 'timeout' option.",
                exchange=exchange,
            ) from exc
        except requests.exceptions.RequestException as exc:
            exchange.duration_ms = (time.perf_counter() - started) * 1000
            raise PartnerUnavailable(
                f"{exchange.qualified_operation}: the connection to {target.url} failed before a complete "
                f"answer arrived ({type(exc).__name__}: {exc}). Check that the partner is up and that the "
                "biller's URL settings point at it; retry later.",
                exchange=exchange,
            ) from exc
        exchange.duration_ms = (time.perf_counter() - started) * 1000
        exchange.response = Response(
            status=answer.status_code,
            headers={k: str(v) for k, v in answer.headers.items()},
            body=answer.content or b"",
        )
        if answer.history:
            exchange.notes = "redirected: " + " -> ".join(r.headers.get("Location", "?") for r in answer.history)
        return exchange
