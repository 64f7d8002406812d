"""The sandbox's front door: one WSGI app serving every partner under ``/<partner>/`` and the admin API.

Around every partner it reads the request once, applies a fault plan that matches it
(``simulators.faults``), checks it against the partner's contract, journals the exchange with the
contract's verdict and the fault applied, and turns anything that escapes a partner app into the
partner's own error answer (recording the error so that a test can re-raise it).
"""

from __future__ import annotations

import io
import random
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from contracts import Exchange, Request, Response, Violation
from simulators.context import SandboxContext
from simulators.faults import FaultPlan, corrupt_body, drop_connection
from simulators.partner import PartnerSimulator

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["SandboxApp", "request_of", "check_request", "operation_of"]

REQUEST_KEY = "partnersim.request"
VIOLATIONS_KEY = "partnersim.request_violations"
OPERATION_KEY = "partnersim.operation"
NOTES_KEY = "partnersim.notes"
MATCH_KEY = "partnersim.match"


def request_of(environ: WSGIEnvironment) -> Request:
    """The request as the contract sees it (host and the partner's own path), built by the front door."""
    request: Request = environ[REQUEST_KEY]
    return request


def operation_of(ctx: SandboxContext, partner: str, environ: WSGIEnvironment) -> str:
    """The name of the contract operation the request matches ("" for none), computed once per request."""
    if MATCH_KEY not in environ:
        match = ctx.contract(partner).match(request_of(environ))
        environ[MATCH_KEY] = match
        environ[OPERATION_KEY] = match.operation.name if match else ""
    name: str = environ[OPERATION_KEY]
    return name


def check_request(ctx: SandboxContext, partner: str, environ: WSGIEnvironment) -> list[Violation]:
    """The request's violations of the partner's contract, computed once per request."""
    if VIOLATIONS_KEY not in environ:
        operation_of(ctx, partner, environ)
        contract, match = ctx.contract(partner), environ[MATCH_KEY]
        environ[VIOLATIONS_KEY] = contract.check_request(request_of(environ), match) if ctx.config.check_contracts else []
    violations: list[Violation] = environ[VIOLATIONS_KEY]
    return violations


def _headers(environ: WSGIEnvironment) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            out[key[5:].replace("_", "-").title()] = value
    if environ.get("CONTENT_TYPE"):
        out["Content-Type"] = environ["CONTENT_TYPE"]
    if environ.get("CONTENT_LENGTH"):
        out["Content-Length"] = environ["CONTENT_LENGTH"]
    return out


def _query(raw: str) -> dict[str, str | list[str]]:
    parsed = parse_qs(raw, keep_blank_values=True)
    return {k: (v[0] if len(v) == 1 else v) for k, v in parsed.items()}


class SandboxApp:
    def __init__(self, ctx: SandboxContext, partners: dict[str, PartnerSimulator], admin: WSGIApplication) -> None:
        self.ctx = ctx
        self.partners = partners
        self.apps = {name: sim.create_app(ctx) for name, sim in partners.items()}
        self.admin = admin
        self.sleep: Callable[[float], None] = time.sleep  # a delay fault's wait (tests replace it)
        self.random = random.Random()  # a random delay's length (tests seed it)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path: str = environ.get("PATH_INFO", "") or "/"
        if path == "/__admin" or path.startswith("/__admin/"):
            return self.admin(environ, start_response)
        name, _, rest = path.lstrip("/").partition("/")
        sim = self.partners.get(name)
        if sim is None:
            return self._not_found(path, start_response)
        return self._serve(sim, "/" + rest, environ, start_response)

    def _not_found(self, path: str, start_response: StartResponse) -> list[bytes]:
        import json

        body = json.dumps({
            "error": f"no partner at {path}",
            "partners": {name: f"/{name}/" for name in self.partners},
            "admin": "/__admin/health",
        }).encode()
        start_response("404 Not Found", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    def _serve(self, sim: PartnerSimulator, subpath: str, environ: WSGIEnvironment,
               start_response: StartResponse) -> list[bytes]:
        started = time.perf_counter()
        ctx, partner = self.ctx, sim.name
        host, own_path = sim.split_path(subpath)
        body, too_large = self._read_body(environ)
        request = Request(
            method=environ.get("REQUEST_METHOD", "GET").upper(),
            path=own_path,
            host=host,
            query=_query(environ.get("QUERY_STRING", "")),
            headers=_headers(environ),
            body=body,
        )
        environ[REQUEST_KEY] = request
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + f"/{partner}"
        environ["PATH_INFO"] = subpath

        fault = None if too_large else self._take_fault(sim, request, environ)
        if too_large:
            notes = f"rejected 413: request body larger than {ctx.config.max_body} bytes"
            status, headers, chunks = self._partner_error(sim, 413, notes[13:])
        else:
            answer = self._answer(sim, environ, fault)
            if answer is None:
                return self._abandon(sim, start_response)
            status, headers, chunks, notes = answer
        dropped = fault is not None and fault.effect == "drop"
        response = None if dropped else Response(status=int(status.split(" ", 1)[0]), headers=dict(headers),
                                                 body=b"".join(chunks))
        if ctx.config.journal:
            try:
                self._journal(sim, environ, request, response, time.perf_counter() - started, notes, fault)
            except Exception as exc:  # the answer still goes out; the error fails the test that caused it
                ctx.record_error(exc)
        if dropped:
            drop_connection(environ)  # raises where only the server can close the connection (waitress)
            start_response("503 Service Unavailable", [("Content-Length", "0")])  # to a socket shut down
            return []
        start_response(status, headers)
        return chunks

    def _run_partner(self, sim: PartnerSimulator,
                     environ: WSGIEnvironment) -> tuple[str, list[tuple[str, str]], list[bytes], str]:
        """The partner app's answer (status, headers, body) and a journal note."""
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        try:
            result = self.apps[sim.name](environ, capture)
            try:
                chunks = [bytes(chunk) for chunk in result]
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
            return captured["status"], captured["headers"], chunks, ""
        except Exception as exc:  # a bug of ours: answer in the partner's form, keep it for the tests
            self.ctx.record_error(exc)
            return *self._partner_error(sim, 500, "internal error in the sandbox"), f"internal error: {exc!r}"

    # -- fault plans ------------------------------------------------------------------------------
    def _answer(self, sim: PartnerSimulator, environ: WSGIEnvironment,
                fault: FaultPlan | None) -> tuple[str, list[tuple[str, str]], list[bytes], str] | None:
        """The answer (status, headers, body, journal note): the partner's, or what the fault makes of
        it. None when the sandbox was reset while a delay held the request: it is abandoned."""
        if fault is None:
            return self._run_partner(sim, environ)
        made = None
        if fault.kind:  # the partner's own answer: made first, so that one it has not is no fault at all
            made = fault.partner_answer(sim, operation_of(self.ctx, sim.name, environ), request_of(environ),
                                        self.ctx.store.now())
            if made is None:
                status, headers, chunks, notes = self._run_partner(sim, environ)
                skipped = f"fault {fault.id} not applied: {sim.name} gives no {fault.describe()} to this request"
                return status, headers, chunks, " ".join(n for n in (notes, skipped) if n)
        seconds = fault.seconds(self.random) if fault.effect == "delay" else 0.0
        if fault.effect == "delay" and not fault.then_answer and not self._wait(seconds):
            return None
        handled = fault.partner_sees_it
        status, headers, chunks, notes = self._run_partner(sim, environ) if handled else ("", [], [], "")
        note = f"fault {fault.id} applied: {fault.describe(seconds if fault.effect == 'delay' else None)}"
        if fault.handled_first:
            note += f"; the partner had answered {status.split(' ', 1)[0]}"
            if fault.effect == "delay" and not self._wait(seconds):
                return None
        if fault.effect == "status":
            status, headers, chunks = fault.answer(sim)
        elif made is not None:
            status, headers, chunks = made
        elif fault.effect == "corrupt":
            media = next((v for k, v in headers if k.lower() == "content-type"), "")
            body = corrupt_body(fault.corrupt, b"".join(chunks), media)
            headers = [(k, str(len(body)) if k.lower() == "content-length" else v) for k, v in headers]
            if not any(k.lower() == "content-length" for k, _ in headers):
                headers.append(("Content-Length", str(len(body))))
            chunks = [body]
        return status, headers, chunks, " ".join(n for n in (notes, note) if n)

    def _take_fault(self, sim: PartnerSimulator, request: Request, environ: WSGIEnvironment) -> FaultPlan | None:
        """The fault plan to apply to this request, one use taken; None at once while no plan is set."""
        try:
            return self.ctx.faults.take(sim.name, request, lambda: operation_of(self.ctx, sim.name, environ),
                                        lambda name: self.ctx.contract(sim.name).field(request, name))
        except Exception as exc:  # a bug of ours: serve the request as if no plan were set
            self.ctx.record_error(exc)
            return None

    def _wait(self, seconds: float) -> bool:
        """A delay fault's wait, holding no lock; False when the sandbox was reset meanwhile, so that a
        request which outlived its state (its client timed out) does not act on the next one's."""
        store = self.ctx.store
        before = store.meta("resets")
        self.sleep(seconds)
        return store.meta("resets") == before

    def _abandon(self, sim: PartnerSimulator, start_response: StartResponse) -> list[bytes]:
        status, headers, chunks = self._partner_error(sim, 503, "the sandbox was reset while this request waited")
        start_response(status, headers)
        return chunks

    def _read_body(self, environ: WSGIEnvironment) -> tuple[bytes, bool]:
        limit = self.ctx.config.max_body
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        stream = environ["wsgi.input"]
        if length > limit:
            return b"", True
        if length:
            return stream.read(length), False
        if environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked":
            data = stream.read(limit + 1)
            return (b"", True) if len(data) > limit else (data, False)
        return b"", False

    @staticmethod
    def _partner_error(sim: PartnerSimulator, status: int, detail: str) -> tuple[str, list[tuple[str, str]], list[bytes]]:
        from http import HTTPStatus

        body, content_type = sim.error_response(status, detail)
        headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
        return f"{status} {HTTPStatus(status).phrase}", headers, [body]

    def _journal(self, sim: PartnerSimulator, environ: WSGIEnvironment, request: Request, response: Response | None,
                 elapsed: float, notes: str, fault: FaultPlan | None = None) -> None:
        ctx = self.ctx
        violations = list(check_request(ctx, sim.name, environ))
        operation = environ.get(OPERATION_KEY, "")
        # An answer a fault made is ours, not the partner's: it is not held against the partner's contract;
        # but one the partner made for the fault (answer, token) is, as any answer of the partner's.
        replaced = fault is not None and fault.effect not in ("delay", "answer", "token")
        if ctx.config.check_contracts and operation and response is not None and not replaced:
            match = environ.get(MATCH_KEY)
            violations.extend(ctx.contract(sim.name).check_response(request, response, match))
        extra = environ.get(NOTES_KEY, "")
        exchange = Exchange(
            partner=sim.name,
            operation=operation,
            request=request,
            response=response,
            source="sandbox",
            recorded_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            duration_ms=elapsed * 1000,
            violations=violations,
            faults=[{"id": fault.id, **fault.spec()}] if fault is not None else [],
            notes=" ".join(n for n in (notes, extra) if n),
        )
        ctx.journal.record(exchange)
