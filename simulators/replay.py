"""The replay server (``partnersim replay``): recorded answers for matching requests (Hoverfly's simulate).

A request matches a recorded exchange when method, partner host, operation (the contract's ``match``,
so its case rules hold: TCCS paths match without regard to case) and the call's significant fields
(path parameters, query, body fields in the partner's terms; ``simulators.matching``) agree. When several
recordings match, they are served in their order, the last one repeating, so that a recorded sequence
(a 503, then the retry's 200) replays as it happened. A request that matches none gets the partner's
own 404 with the nearest recordings and the fields in which each differs (WireMock's near misses), and
is noted in the replay journal (``ReplayApp.journal``, and the log line printed).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from contracts import Contract, Exchange, HarnessError, load_contract
from simulators.matching import Difference, Located, differences, locate, nearest_operations
from simulators.partner import PartnerSimulator
from simulators.proxy import HOP_BY_HOP, status_line, wsgi_body, wsgi_headers, wsgi_query
from simulators.registry import partner_simulators

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

__all__ = ["ReplayApp", "ReplayError", "Recording", "ReplayEntry"]

_LEFT_OUT = HOP_BY_HOP | {"date", "server"}


class ReplayError(HarnessError):
    """The recordings cannot be replayed (no answer in them, partners mixed without ``--partner``)."""


@dataclass
class Recording:
    exchange: Exchange
    located: Located
    served: int = 0

    @property
    def name(self) -> str:
        return self.exchange.id or self.exchange.qualified_operation


@dataclass(frozen=True)
class ReplayEntry:
    """One request the replay server answered: the recording served, or the near misses."""

    method: str
    path: str
    served: str = ""
    near_misses: tuple[tuple[str, tuple[Difference, ...]], ...] = field(default_factory=tuple)


class ReplayApp:
    def __init__(self, exchanges: Sequence[Exchange], partner: str | None = None, *,
                 log: Callable[[str], None] = print) -> None:
        usable = [e for e in exchanges if e.response is not None]
        if not usable:
            raise ReplayError("nothing to replay: none of the exchanges given has a response (a recording of a "
                              "request the partner never answered cannot be replayed)")
        partners = sorted({e.partner for e in usable})
        if partner and partner not in partners:
            raise ReplayError(f"no answered exchange of {partner!r} to replay; the exchanges given are of "
                              f"{', '.join(partners)}")
        chosen = [partner] if partner else partners
        self.simulators: dict[str, PartnerSimulator] = partner_simulators(chosen)
        self.contracts: dict[str, Contract] = {name: load_contract(name) for name in chosen}
        self.recordings: dict[str, list[Recording]] = {name: [] for name in chosen}
        for exchange in usable:
            if exchange.partner in self.recordings:
                self.recordings[exchange.partner].append(Recording(exchange, self._located_recording(exchange)))
        self.log = log
        self.journal: list[ReplayEntry] = []
        self._lock = threading.Lock()

    def _located_recording(self, exchange: Exchange) -> Located:
        request = exchange.request
        match = self.contracts[exchange.partner].match(request)
        return Located(request, match)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        path = environ.get("PATH_INFO", "") or "/"
        query = wsgi_query(environ.get("QUERY_STRING", ""))
        headers = wsgi_headers(environ)
        body = wsgi_body(environ)
        partner, located = self._partner_of(method, path, query, headers, body)
        with self._lock:
            recording, misses = self._find(partner, located)
            if recording is not None:
                recording.served += 1
                self.journal.append(ReplayEntry(method, path, served=recording.name))
            else:
                self.journal.append(ReplayEntry(method, path, near_misses=tuple((r.name, tuple(d)) for r, d in misses)))
        if recording is None:
            return self._unmatched(partner, located, misses, start_response)
        response = recording.exchange.response
        assert response is not None  # only answered exchanges are kept
        self.log(f"replay: {method} {path} -> {recording.name} ({response.status})")
        out_headers = [(k, v) for k, v in response.headers.items() if k.lower() not in _LEFT_OUT]
        start_response(status_line(response.status), [*out_headers, ("Content-Length", str(len(response.body)))])
        return [response.body]

    def _partner_of(self, method: str, path: str, query: dict[str, str | list[str]], headers: dict[str, str],
                    body: bytes) -> tuple[str, Located]:
        """The partner whose operation the request is; else the one its first segment names; else the first."""
        tried: dict[str, Located] = {}
        for name, contract in self.contracts.items():
            tried[name] = located = locate(contract, method, path, query, headers, body)
            if located.match is not None:
                return name, located
        first = path.lstrip("/").split("/", 1)[0]
        name = first if first in tried else next(iter(tried))
        return name, tried[name]

    def _find(self, partner: str, located: Located) -> tuple[Recording | None, list[tuple[Recording, list[Difference]]]]:
        """The recording to serve (first not yet served of those that match, else the last that matches),
        or None and the nearest recordings with their differences."""
        scored: list[tuple[Recording, list[Difference]]] = []
        matching: list[Recording] = []
        for recording in self.recordings[partner]:
            diffs = differences(recording.located, located)
            if diffs:
                scored.append((recording, diffs))
            else:
                matching.append(recording)
        if matching:
            fresh = next((r for r in matching if r.served == 0), None)
            return fresh or matching[-1], []
        scored.sort(key=lambda pair: (any(d.field == "operation" for d in pair[1]), len(pair[1])))
        return None, scored[:3]

    def _unmatched(self, partner: str, located: Located, misses: list[tuple[Recording, list[Difference]]],
                   start_response: StartResponse) -> list[bytes]:
        request = located.request
        where = f"{request.method} {request.host + ' ' if request.host else ''}{request.path}"
        lines = [f"partnersim replay: no recorded exchange matches {where}"
                 f" ({located.match.operation.qualified if located.match else 'no operation of the contract'})"]
        for recording, diffs in misses:
            lines.append(f"nearest {recording.name}: " + "; ".join(str(d) for d in diffs))
        if located.match is None:
            lines += [f"nearest operation {miss}" for miss in nearest_operations(self.contracts[partner], request)]
        detail = "\n".join(lines)
        self.log("replay: UNMATCHED " + detail.replace("\n", "\n  "))
        payload, media = self.simulators[partner].error_response(404, detail)
        start_response(status_line(404), [("Content-Type", media), ("Content-Length", str(len(payload)))])
        return [payload]

    def unmatched(self) -> list[ReplayEntry]:
        return [entry for entry in self.journal if not entry.served]
