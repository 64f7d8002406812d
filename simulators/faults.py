"""Fault plans: make a partner misbehave on purpose, the way it did in production (ARCHITECTURE.md
§simulators, faults; issue 5).

A plan is *match* + *effect* + *count*, applied around every partner by the front door
(``simulators.wsgi``), so every partner gets every fault without code of its own:

* match: ``partner`` (required; a qualified ``operation`` names it too), ``operation`` (a name of the
  partner's contract, ``Pay_Input`` or ``tccs.Pay_Input``, matched by the contract's ``match(request)``;
  absent = any request to the partner), ``body_contains`` (a substring of the request body; a form
  body is searched URL-decoded as well, so ``454100010-06/16/2020`` finds TCCS's ``contentInfo``),
  ``where`` (fields of the request in the partner's own terms, read by ``Contract.field``: a JSON
  pointer ``/data/attributes/payment_amount``, ``form entryKey``, ``contentInfo amount``, ``payload
  //remit/paymentID``; each equal to a value, or ``{matches: <regex>}``).
* effect, exactly one (``EFFECTS``):
  - ``status: 503`` (with optional ``body`` and ``content_type``): that answer instead of the partner's.
    Without a body, a status of 400 or more answers the partner's own error answer
    (``PartnerSimulator.error_response``) and a lower one an empty body; a body without a content type
    takes the partner's error media type.
  - ``delay: 2.5`` or ``delay: {min: 0.5, max: 1.5}`` (random, from the front door's ``random``): wait,
    at most ``MAX_DELAY``, then the partner's normal answer. A delay longer than the client's timeout
    is how a timeout is made.
  - ``drop: before``: close the connection without an answer; the partner never sees the request.
    ``drop: after``: the partner handles it, then the connection is closed (the duplicate-payment case).
    ``drop: true`` is ``before``, or ``after`` with ``then_answer`` (the first slice's form).
  - ``corrupt: empty | truncated | malformed``: the partner handles the request and answers, and its
    answer's body is emptied, cut in half, or made unparseable (JSON loses its closing brackets, XML
    its last closing tag; anything else is cut in half), with the partner's status.
  - ``answer: {<kind>: <code>, message: <text>}``: the partner's own business answer, made by
    ``PartnerSimulator.fault_answer`` (Sapiens ``return_code: FAILURE`` or ``soap_fault:
    SOAP-ENV:Server``, TCCS ``error: INVOICE_NOT_FOUND``, IMT and Spectrum ``error: not_found``, Spectrum
    ``receipt_outcome: no_data``); a kind the partner does not give is refused, listing those it gives.
  - ``token: expired | revoked``: the partner's answer to a token it no longer accepts (kind ``token``).
  - ``then_answer: true`` (with any of them): the partner handles the request first, so its state
    changes (the payment is recorded), and then the effect replaces or holds back its answer: the
    client sees a failure for something the partner did, the case that makes duplicate payments.
* count: ``times: N`` (default 1), or ``times: null`` until the plan is removed.

Plans live in the sandbox store, so every worker of ``partnersim up`` and a restart see them; one
transaction takes a plan's use (``remaining`` goes down by one), so two workers never apply a
once-only plan twice. Each process caches the plans still active and revalidates the cache by the
store's generation, so a request costs no query while no plan is set.
"""

from __future__ import annotations

import json
import random
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from simulators._faultspec import (
    CORRUPTIONS,
    DROPS,
    EFFECTS,
    FIELDS,
    FaultPlanError,
    MAX_DELAY,
    answer_of,
    check_answer,
    delay_of,
    effect_of,
    holds,
    kind_of,
    match_of,
    status_of,
    text_of,
    where_of,
)

if TYPE_CHECKING:
    from wsgiref.types import WSGIEnvironment

    from contracts import Contract, Request

    from simulators.partner import PartnerSimulator
    from simulators.store import Store

__all__ = ["CORRUPTIONS", "DROPS", "EFFECTS", "FIELDS", "MAX_DELAY", "FaultPlan", "FaultPlanError", "FaultPlans",
           "corrupt_body", "drop_connection"]

@dataclass(frozen=True)
class FaultPlan:
    """One plan as stored: match, effect and count, and how often it was applied."""

    partner: str
    effect: str  # one of EFFECTS
    operation: str = ""  # the contract's operation name, unqualified; "" = any
    body_contains: str = ""
    where: tuple[tuple[str, Any], ...] = ()  # (field name, value or {"matches": regex}), all must hold
    status: int | None = None
    body: str | None = None
    content_type: str | None = None
    delay: float | None = None  # seconds, or the least of a random delay
    delay_max: float | None = None  # the most of a random delay; None = a fixed delay
    drop: bool | str = False  # True (before, or after with then_answer), "before" or "after"
    corrupt: str = ""  # one of CORRUPTIONS
    kind: str = ""  # the kind of partner answer (``answer``'s key, or "token")
    code: str = ""  # its code: FAILURE, INVOICE_NOT_FOUND, expired...
    message: str = ""  # the answer's text, "" = the partner's default
    then_answer: bool = False
    times: int | None = 1  # as set; None = until removed
    id: int = 0
    remaining: int | None = 1
    applied: int = 0

    @classmethod
    def parse(cls, doc: Any, partners: Sequence[str], operations: Callable[[str], Sequence[str]], *,
              contract: Callable[[str], Contract] | None = None,
              simulator: Callable[[str], PartnerSimulator] | None = None) -> FaultPlan:
        """A plan from its JSON form; ``FaultPlanError`` names the first field that is wrong.

        ``partners`` are the partners the plan may name; ``operations(partner)`` their contract's
        operation names; ``contract(partner)`` reads the names of ``where`` (unchecked without it) and
        ``simulator(partner)`` says which answers the partner gives (unchecked without it).
        """
        if not isinstance(doc, Mapping):
            raise FaultPlanError("plan", f"a fault plan is a JSON object with {', '.join(FIELDS)}; found {kind_of(doc)}")
        unknown = [k for k in doc if k not in FIELDS]
        if unknown:
            raise FaultPlanError(str(unknown[0]), f"unknown field {unknown[0]!r}; a fault plan has {', '.join(FIELDS)}")
        partner, operation = match_of(doc, partners, operations)
        body_contains = doc.get("body_contains", "")
        if not isinstance(body_contains, str) or ("body_contains" in doc and not body_contains):
            raise FaultPlanError("body_contains", f"expected non-empty text, found {kind_of(body_contains)}")
        where = where_of(doc.get("where"), contract(partner) if contract is not None else None) if "where" in doc else ()
        effect = effect_of(doc)
        then_answer = doc.get("then_answer", False)
        if not isinstance(then_answer, bool):
            raise FaultPlanError("then_answer", f"expected true or false, found {kind_of(then_answer)}")
        if then_answer and doc.get("drop") == "before":
            raise FaultPlanError("then_answer", "drop: before closes the connection before the partner sees the "
                                                "request; for the partner to handle it first, use drop: after")
        times = doc.get("times", 1)
        if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
            raise FaultPlanError("times", f"expected a whole number of at least 1, or null (until removed); "
                                          f"found {kind_of(times)}")
        kind, code, message = answer_of(doc, effect)
        if kind and simulator is not None:
            check_answer(simulator(partner), kind, code, message, operation)
        delay, delay_max = delay_of(doc["delay"]) if effect == "delay" else (None, None)
        return cls(partner=partner, effect=effect, operation=operation, body_contains=body_contains, where=where,
                   status=status_of(doc) if effect == "status" else None,
                   body=text_of(doc, "body", effect, allow_empty=True), content_type=text_of(doc, "content_type", effect),
                   delay=delay, delay_max=delay_max, drop=doc["drop"] if effect == "drop" else False,
                   corrupt=doc["corrupt"] if effect == "corrupt" else "", kind=kind, code=code, message=message,
                   then_answer=then_answer, times=times, remaining=times)

    # -- forms ------------------------------------------------------------------------------------
    def spec(self) -> dict[str, Any]:
        """Match and effect as set (the JSON form without id and counters)."""
        out: dict[str, Any] = {"partner": self.partner}
        if self.operation:
            out["operation"] = self.operation
        if self.body_contains:
            out["body_contains"] = self.body_contains
        if self.where:
            out["where"] = dict(self.where)
        if self.effect == "status":
            out["status"] = self.status
            if self.body is not None:
                out["body"] = self.body
            if self.content_type is not None:
                out["content_type"] = self.content_type
        elif self.effect == "delay":
            out["delay"] = self.delay if self.delay_max is None else {"min": self.delay, "max": self.delay_max}
        elif self.effect == "drop":
            out["drop"] = self.drop
        elif self.effect == "corrupt":
            out["corrupt"] = self.corrupt
        elif self.effect == "token":
            out["token"] = self.code
        else:
            out["answer"] = {self.kind: self.code, **({"message": self.message} if self.message else {})}
        if self.then_answer:
            out["then_answer"] = True
        return out

    def to_dict(self) -> dict[str, Any]:
        """The plan as the admin API shows it: its id, what it does, and its count."""
        return {"id": self.id, **self.spec(), "times": self.times, "remaining": self.remaining,
                "applied": self.applied}

    @classmethod
    def from_row(cls, row: Any) -> FaultPlan:
        spec = json.loads(row["plan"])
        effect = next(e for e in EFFECTS if e in spec)
        delay, delay_max = delay_of(spec["delay"]) if effect == "delay" else (None, None)
        kind, code, message = answer_of(spec, effect)
        return cls(partner=row["partner"], effect=effect, operation=row["operation"],
                   body_contains=spec.get("body_contains", ""), where=tuple(dict(spec.get("where") or {}).items()),
                   status=spec.get("status"), body=spec.get("body"), content_type=spec.get("content_type"),
                   delay=delay, delay_max=delay_max, drop=spec.get("drop", False), corrupt=spec.get("corrupt", ""),
                   kind=kind, code=code, message=message, then_answer=bool(spec.get("then_answer", False)),
                   times=spec.get("times"), id=int(row["id"]), remaining=row["remaining"], applied=int(row["applied"]))

    # -- what it does -----------------------------------------------------------------------------
    @property
    def handled_first(self) -> bool:
        """Whether the partner handles the request before the effect takes its answer."""
        return self.then_answer or self.effect == "corrupt" or self.drop == "after"

    @property
    def partner_sees_it(self) -> bool:
        return self.handled_first or self.effect == "delay"

    def seconds(self, rng: random.Random) -> float:
        """How long a delay plan waits this time."""
        low = self.delay or 0.0
        return low if self.delay_max is None else rng.uniform(low, self.delay_max)

    def describe(self, waited: float | None = None) -> str:
        """What the plan did, for the journal: ``status 503``, ``delay 2.5 s``, ``drop before ...``."""
        if self.effect == "status":
            return f"status {self.status}"
        if self.effect == "delay":
            seconds = self.delay if waited is None else waited
            spread = f" (random, {self.delay:g} to {self.delay_max:g} s)" if self.delay_max is not None else ""
            return f"delay {seconds:.3g} s{spread}"
        if self.effect == "drop":
            if self.drop is True:
                return "drop (connection closed without an answer)"
            when = "after the partner answered" if self.drop == "after" else "before the partner saw the request"
            return f"drop {when} (connection closed without an answer)"
        if self.effect == "corrupt":
            return {"empty": "answer emptied", "truncated": "answer truncated to half its body",
                    "malformed": "answer made malformed"}[self.corrupt]
        if self.effect == "token":
            return f"token {self.code}"
        return f"answer {self.kind} {self.code}"

    # -- matching ---------------------------------------------------------------------------------
    def matches_body(self, body: bytes, form: bool) -> bool:
        if not self.body_contains:
            return True
        text = body.decode("utf-8", "replace")
        return self.body_contains in text or (form and self.body_contains in unquote_plus(text))

    def matches_where(self, field: Callable[[str], str | None]) -> bool:
        """Whether every ``where`` field of the request holds; ``field(name)`` reads one."""
        for name, expected in self.where:
            try:
                found = field(name)
            except KeyError:
                return False
            if not holds(expected, found):
                return False
        return True

    # -- the answers it makes ---------------------------------------------------------------------
    def answer(self, sim: PartnerSimulator) -> tuple[str, list[tuple[str, str]], list[bytes]]:
        """The status effect's answer: status line, headers, body."""
        assert self.status is not None, "only a status plan answers"
        if self.body is not None:
            body = self.body.encode("utf-8")
            media = self.content_type or sim.error_response(500, "")[1]
        elif self.status >= 400:
            body, media = sim.error_response(self.status, f"{_phrase(self.status)} (sandbox fault plan {self.id})")
            media = self.content_type or media
        else:
            body, media = b"", self.content_type or "text/plain; charset=utf-8"
        return _response(self.status, media, body)

    def partner_answer(self, sim: PartnerSimulator, operation: str, request: Request,
                       now: float | None = None) -> tuple[str, list[tuple[str, str]], list[bytes]] | None:
        """The answer or token effect's answer, made by the partner; None when it has none for this request."""
        try:
            made = sim.fault_answer(self.kind, self.code, operation, message=self.message, request=request, now=now)
        except ValueError:
            return None
        return None if made is None else _response(made[0], made[2], made[1])


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Fault"


def _response(status: int, media: str, body: bytes) -> tuple[str, list[tuple[str, str]], list[bytes]]:
    return f"{status} {_phrase(status)}", [("Content-Type", media), ("Content-Length", str(len(body)))], [body]


# -- the corrupt effect -----------------------------------------------------------------------------
def corrupt_body(mode: str, body: bytes, media: str) -> bytes:
    """The partner's answer body emptied, cut in half, or made unparseable in its own format."""
    if mode == "empty":
        return b""
    half = body[: len(body) // 2]
    if mode == "truncated":
        return half
    text, base = body.rstrip(), media.split(";", 1)[0].strip().lower()
    if base.endswith("json") or text.lstrip()[:1] in (b"{", b"["):
        cut = text.rstrip(b"}] \t\r\n")  # the closing brackets go: the document never ends
        return cut if cut != text else half
    if base.endswith("xml") or text.lstrip()[:1] == b"<":
        last = text.rfind(b"</")  # the root's closing tag goes: an unclosed tag
        return text[:last] if last > 0 else half
    return half


# -- the store --------------------------------------------------------------------------------------
class FaultPlans:
    """The sandbox's fault plans, in its store; a per-process cache keeps requests query-free."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._cached: tuple[int, tuple[FaultPlan, ...]] | None = None  # (generation, active plans)

    def add(self, plan: FaultPlan) -> FaultPlan:
        spec = {**plan.spec(), "times": plan.times}
        with self.store.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO fault_plans (partner, operation, remaining, applied, plan, created_at) "
                "VALUES (?, ?, ?, 0, ?, ?)",
                (plan.partner, plan.operation, plan.times, json.dumps(spec), time.time()))
            stored = replace(plan, id=int(cursor.lastrowid or 0), remaining=plan.times, applied=0)
        self.store.touch()
        return stored

    def all(self) -> list[FaultPlan]:
        """Every plan, the spent ones too (``remaining: 0``), oldest first."""
        with self.store.read() as conn:
            rows = conn.execute("SELECT * FROM fault_plans ORDER BY id").fetchall()
        return [FaultPlan.from_row(r) for r in rows]

    def remove(self, plan_id: int) -> bool:
        with self.store.transaction() as conn:
            removed = conn.execute("DELETE FROM fault_plans WHERE id = ?", (plan_id,)).rowcount > 0
        if removed:
            self.store.touch()
        return removed

    def clear(self) -> int:
        with self.store.transaction() as conn:
            removed = int(conn.execute("DELETE FROM fault_plans").rowcount)
        self.store.touch()
        return removed

    def active(self) -> tuple[FaultPlan, ...]:
        """The plans not spent, from this process's cache while the store's generation holds."""
        generation = self.store.generation()
        cached = self._cached
        if cached is not None and cached[0] == generation:
            return cached[1]
        with self._lock:
            with self.store.read() as conn:
                rows = conn.execute("SELECT * FROM fault_plans WHERE remaining IS NULL OR remaining > 0 "
                                    "ORDER BY id").fetchall()
            plans = tuple(FaultPlan.from_row(r) for r in rows)
            # A change after reading the generation carries a newer one: the next request reloads.
            self._cached = (generation, plans)
        return plans

    def take(self, partner: str, request: Request, operation: Callable[[], str],
             field: Callable[[str], str | None] | None = None) -> FaultPlan | None:
        """The first active plan matching the request, with one use taken from its count.

        ``operation()`` gives the request's operation name (computed only when a plan asks for one);
        ``field(name)`` a field of the request in the partner's terms (``Contract.field``), for ``where``.
        """
        candidates = [p for p in self.active() if p.partner == partner]
        if not candidates:
            return None
        name = operation() if any(p.operation for p in candidates) else ""
        form = request.header("Content-Type").lower().startswith("application/x-www-form-urlencoded")
        for plan in candidates:
            if ((not plan.operation or plan.operation == name) and plan.matches_body(request.body, form)
                    and (not plan.where or (field is not None and plan.matches_where(field)))):
                taken = self._use(plan)
                if taken is not None:
                    return taken
        return None

    def _use(self, plan: FaultPlan) -> FaultPlan | None:
        """One use of the plan, atomically: None when another request (or worker) spent it first."""
        with self.store.transaction() as conn:
            used = conn.execute(
                "UPDATE fault_plans SET applied = applied + 1, "
                "remaining = CASE WHEN remaining IS NULL THEN NULL ELSE remaining - 1 END "
                "WHERE id = ? AND (remaining IS NULL OR remaining > 0)", (plan.id,)).rowcount
            row = conn.execute("SELECT * FROM fault_plans WHERE id = ?", (plan.id,)).fetchone() if used else None
        if row is None:
            self.store.touch()  # this process's cache still lists a plan that is spent or gone
            return None
        taken = FaultPlan.from_row(row)
        if taken.remaining == 0:
            self.store.touch()
        return taken


# -- the drop effect --------------------------------------------------------------------------------
def drop_connection(environ: WSGIEnvironment) -> None:
    """Close the client's connection without an answer.

    Under gunicorn (``partnersim up``) the socket is in the environ: it is shut down here, and the
    server's attempt to write the (empty) answer fails quietly (a broken pipe it ignores). Under
    waitress (``ServerThread``) only the server can close it: raising its ``ClientDisconnected``
    makes it close the connection with nothing written (it logs one line at INFO).
    """
    sock = environ.get("gunicorn.socket")
    if isinstance(sock, socket.socket):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # the client is gone already: dropped either way
        return
    from waitress.channel import ClientDisconnected

    raise ClientDisconnected("a fault plan dropped the connection")
