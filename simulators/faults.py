"""Fault plans: make a partner misbehave on purpose, the way it did in production (ARCHITECTURE.md
§simulators, faults; issue 5).

A plan is *match* + *effect* + *count*, applied around every partner by the front door
(``simulators.wsgi``), so every partner gets every fault without code of its own:

* match: ``partner`` (required; a qualified ``operation`` names it too), ``operation`` (a name of the
  partner's contract, ``Pay_Input`` or ``tccs.Pay_Input``, matched by the contract's ``match(request)``;
  absent = any request to the partner), ``body_contains`` (a substring of the request body; a form
  body is searched URL-decoded as well, so ``454100010-06/16/2020`` finds TCCS's ``contentInfo``).
* effect, exactly one:
  - ``status: 503`` (with optional ``body`` and ``content_type``): that answer instead of the partner's.
    Without a body, a status of 400 or more answers the partner's own error answer
    (``PartnerSimulator.error_response``) and a lower one an empty body; a body without a content type
    takes the partner's error media type.
  - ``delay: 2.5``: wait that many seconds (at most ``MAX_DELAY``), then the partner's normal answer.
  - ``drop: true``: close the connection without an answer (the client sees a connection error).
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
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from simulators.errors import SimulatorError

if TYPE_CHECKING:
    from wsgiref.types import WSGIEnvironment

    from contracts import Request

    from simulators.partner import PartnerSimulator
    from simulators.store import Store

__all__ = ["EFFECTS", "FIELDS", "MAX_DELAY", "FaultPlan", "FaultPlanError", "FaultPlans", "drop_connection"]

EFFECTS = ("status", "delay", "drop")
FIELDS = ("partner", "operation", "body_contains", *EFFECTS, "body", "content_type", "then_answer", "times")
MAX_DELAY = 300.0  # seconds: longer than any client timeout worth testing, short enough to stop a server


class FaultPlanError(SimulatorError):
    """A fault plan that cannot be applied as written; ``field`` names the part that is wrong."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(f"{field}: {detail}")
        self.field = field
        self.detail = detail


@dataclass(frozen=True)
class FaultPlan:
    """One plan as stored: match, effect and count, and how often it was applied."""

    partner: str
    effect: str  # one of EFFECTS
    operation: str = ""  # the contract's operation name, unqualified; "" = any
    body_contains: str = ""
    status: int | None = None
    body: str | None = None
    content_type: str | None = None
    delay: float | None = None
    then_answer: bool = False
    times: int | None = 1  # as set; None = until removed
    id: int = 0
    remaining: int | None = 1
    applied: int = 0

    @classmethod
    def parse(cls, doc: Any, partners: Sequence[str], operations: Callable[[str], Sequence[str]]) -> FaultPlan:
        """A plan from its JSON form; ``FaultPlanError`` names the first field that is wrong.

        ``partners`` are the partners the plan may name; ``operations(partner)`` their contract's
        operation names.
        """
        if not isinstance(doc, Mapping):
            raise FaultPlanError("plan", f"a fault plan is a JSON object with {', '.join(FIELDS)}; found {_kind(doc)}")
        unknown = [k for k in doc if k not in FIELDS]
        if unknown:
            raise FaultPlanError(str(unknown[0]), f"unknown field {unknown[0]!r}; a fault plan has {', '.join(FIELDS)}")
        partner, operation = _match(doc, partners, operations)
        body_contains = doc.get("body_contains", "")
        if not isinstance(body_contains, str) or ("body_contains" in doc and not body_contains):
            raise FaultPlanError("body_contains", f"expected non-empty text, found {_kind(body_contains)}")
        effect = _effect(doc)
        then_answer = doc.get("then_answer", False)
        if not isinstance(then_answer, bool):
            raise FaultPlanError("then_answer", f"expected true or false, found {_kind(then_answer)}")
        times = doc.get("times", 1)
        if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
            raise FaultPlanError("times", f"expected a whole number of at least 1, or null (until removed); "
                                          f"found {_kind(times)}")
        return cls(partner=partner, effect=effect, operation=operation, body_contains=body_contains,
                   status=_status(doc) if effect == "status" else None,
                   body=_text(doc, "body", effect, allow_empty=True), content_type=_text(doc, "content_type", effect),
                   delay=float(doc["delay"]) if effect == "delay" else None,
                   then_answer=then_answer, times=times, remaining=times)

    # -- forms ------------------------------------------------------------------------------------
    def spec(self) -> dict[str, Any]:
        """Match and effect as set (the JSON form without id and counters)."""
        out: dict[str, Any] = {"partner": self.partner}
        if self.operation:
            out["operation"] = self.operation
        if self.body_contains:
            out["body_contains"] = self.body_contains
        if self.effect == "status":
            out["status"] = self.status
            if self.body is not None:
                out["body"] = self.body
            if self.content_type is not None:
                out["content_type"] = self.content_type
        elif self.effect == "delay":
            out["delay"] = self.delay
        else:
            out["drop"] = True
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
        return cls(partner=row["partner"], effect=effect, operation=row["operation"],
                   body_contains=spec.get("body_contains", ""), status=spec.get("status"),
                   body=spec.get("body"), content_type=spec.get("content_type"), delay=spec.get("delay"),
                   then_answer=bool(spec.get("then_answer", False)), times=spec.get("times"),
                   id=int(row["id"]), remaining=row["remaining"], applied=int(row["applied"]))

    def describe(self) -> str:
        """What the plan does, for the journal: ``status 503``, ``delay 2.5 s``, ``drop``."""
        if self.effect == "status":
            return f"status {self.status}"
        if self.effect == "delay":
            return f"delay {self.delay:g} s"
        return "drop (connection closed without an answer)"

    # -- matching ---------------------------------------------------------------------------------
    def matches_body(self, body: bytes, form: bool) -> bool:
        if not self.body_contains:
            return True
        text = body.decode("utf-8", "replace")
        return self.body_contains in text or (form and self.body_contains in unquote_plus(text))

    # -- the status effect ------------------------------------------------------------------------
    def answer(self, sim: PartnerSimulator) -> tuple[str, list[tuple[str, str]], list[bytes]]:
        """The status effect's answer: status line, headers, body."""
        assert self.status is not None, "only a status plan answers"
        try:
            phrase = HTTPStatus(self.status).phrase
        except ValueError:
            phrase = "Fault"
        if self.body is not None:
            body = self.body.encode("utf-8")
            media = self.content_type or sim.error_response(500, "")[1]
        elif self.status >= 400:
            body, media = sim.error_response(self.status, f"{phrase} (sandbox fault plan {self.id})")
            media = self.content_type or media
        else:
            body, media = b"", self.content_type or "text/plain; charset=utf-8"
        return f"{self.status} {phrase}", [("Content-Type", media), ("Content-Length", str(len(body)))], [body]


# -- parsing helpers --------------------------------------------------------------------------------
def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    return "a list" if isinstance(value, list) else f"a {type(value).__name__}"


def _match(doc: Mapping[str, Any], partners: Sequence[str],
           operations: Callable[[str], Sequence[str]]) -> tuple[str, str]:
    operation = doc.get("operation", "")
    if not isinstance(operation, str) or ("operation" in doc and not operation):
        raise FaultPlanError("operation", f"expected an operation name such as Pay_Input or tccs.Pay_Input, "
                                          f"found {_kind(operation)}")
    qualifier, _, name = operation.rpartition(".")
    if "partner" not in doc and not qualifier:
        raise FaultPlanError("partner", f"missing: name the partner ({', '.join(partners)}) or qualify the "
                                        "operation (partner.operation)")
    partner = doc.get("partner", qualifier)
    if not isinstance(partner, str) or not partner:
        raise FaultPlanError("partner", f"expected the name of a partner ({', '.join(partners)}), "
                                        f"found {_kind(doc.get('partner'))}")
    if partner not in partners:
        raise FaultPlanError("partner", f"no partner {partner!r} in this sandbox; known: {', '.join(partners)}")
    if qualifier and qualifier != partner:
        raise FaultPlanError("operation", f"{operation!r} is an operation of {qualifier!r}, but the plan is for "
                                          f"partner {partner!r}")
    if not name:
        return partner, ""
    known = list(operations(partner))
    found = next((n for n in known if n == name), None) or next((n for n in known if n.lower() == name.lower()), None)
    if found is None:
        raise FaultPlanError("operation", f"{partner} has no operation {name!r}; its operations are "
                                          f"{', '.join(known)}")
    return partner, found


def _effect(doc: Mapping[str, Any]) -> str:
    given = [e for e in EFFECTS if e in doc]
    if len(given) != 1:
        found = f"found {' and '.join(given)}" if given else "found none"
        raise FaultPlanError(given[1] if given else "effect",
                             f"a fault plan has exactly one effect: status, delay or drop; {found}")
    effect = given[0]
    value = doc[effect]
    if effect == "delay" and (isinstance(value, bool) or not isinstance(value, (int, float))
                              or not 0 < value <= MAX_DELAY):
        raise FaultPlanError("delay", f"expected seconds, more than 0 and at most {MAX_DELAY:g}; found {_kind(value)}")
    if effect == "drop" and value is not True:
        raise FaultPlanError("drop", f"expected true (close the connection without an answer), found {_kind(value)}")
    return effect


def _status(doc: Mapping[str, Any]) -> int:
    value = doc["status"]
    if isinstance(value, bool) or not isinstance(value, int) or not 200 <= value <= 599:
        raise FaultPlanError("status", f"expected an HTTP status from 200 to 599, found {_kind(value)}")
    return value


def _text(doc: Mapping[str, Any], key: str, effect: str, allow_empty: bool = False) -> str | None:
    if key not in doc:
        return None
    if effect != "status":
        raise FaultPlanError(key, f"{key} goes with a status effect; a {effect} plan has no answer of its own")
    value = doc[key]
    if not isinstance(value, str) or (not value and not allow_empty):
        raise FaultPlanError(key, f"expected {'text' if allow_empty else 'non-empty text'}, found {_kind(value)}")
    return value


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

    def take(self, partner: str, request: Request, operation: Callable[[], str]) -> FaultPlan | None:
        """The first active plan matching the request, with one use taken from its count.

        ``operation()`` gives the request's operation name (computed only when a plan asks for one).
        """
        candidates = [p for p in self.active() if p.partner == partner]
        if not candidates:
            return None
        name = operation() if any(p.operation for p in candidates) else ""
        form = request.header("Content-Type").lower().startswith("application/x-www-form-urlencoded")
        for plan in candidates:
            if (not plan.operation or plan.operation == name) and plan.matches_body(request.body, form):
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
