"""What a contract change is, and who it breaks.

A contract has two sides. *Clients* (the bill-pay platform's adapters) send requests and read answers;
the *partner* (the real system, and the simulator that stands in for it) accepts requests and writes
answers. A change is judged by the direction it moves a set of valid messages:

============  =====================================  =========================================
direction     request (clients send it)              response (the partner sends it)
============  =====================================  =========================================
narrowed      breaks clients (what they send may     breaks the partner (what it sends may now
              now be refused)                        be out of contract)
widened       compatible                             breaks clients (they may read what they
                                                     do not handle)
incompatible  breaks clients                         breaks clients and the partner
unknown       to check (clients)                     to check (clients and partner)
============  =====================================  =========================================

A field or element *removed* breaks clients on either side (they send it, or they read it); one
*added* is compatible unless it is required, which narrows. ``unknown`` is the engines' best effort:
a regular expression replaced by another cannot be compared in general, so the change is reported as
``CHECK`` ("changed; check") and counts as breaking for the exit code: a gate must not let it through
unseen.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from typing import Any, Literal

__all__ = ["Change", "Severity", "Side", "Direction", "judge", "removed", "added", "CLIENTS", "PARTNER"]

CLIENTS, PARTNER = "clients", "partner"
Side = Literal["request", "response", "both"]
Direction = Literal["narrowed", "widened", "incompatible", "unknown"]


class Severity(str, Enum):
    BREAKING = "BREAKING"
    CHECK = "CHECK"
    OK = "ok"

    @property
    def rank(self) -> int:
        return {Severity.OK: 0, Severity.CHECK: 1, Severity.BREAKING: 2}[self]


@dataclass(frozen=True)
class Change:
    """One difference between two versions of a contract: where, what, and whom it breaks."""

    severity: Severity
    breaks: tuple[str, ...]  # CLIENTS and/or PARTNER; empty when compatible
    where: str  # the operation (or the document part) it concerns
    message: str
    kind: str = ""  # a stable name for the kind of change (field-removed, enum-narrowed...)
    partner: str = ""
    document: str = ""  # the file inside the contract folder

    @property
    def breaking(self) -> bool:
        """Counts against the exit code: breaking, or possibly breaking (to check)."""
        return self.severity is not Severity.OK

    def at(self, partner: str, document: str) -> Change:
        return replace(self, partner=self.partner or partner, document=self.document or document)

    def __str__(self) -> str:
        who = f" ({', '.join(self.breaks)})" if self.breaks else ""
        subject = " ".join(p for p in (self.partner, self.where) if p)
        return f"{self.severity.value}{who} {subject}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"severity": self.severity.value, "breaks": list(self.breaks), "partner": self.partner,
                "document": self.document, "where": self.where, "kind": self.kind, "message": self.message}


_TABLE: dict[tuple[str, str], tuple[Severity, tuple[str, ...]]] = {
    ("request", "narrowed"): (Severity.BREAKING, (CLIENTS,)),
    ("request", "widened"): (Severity.OK, ()),
    ("request", "incompatible"): (Severity.BREAKING, (CLIENTS,)),
    ("request", "unknown"): (Severity.CHECK, (CLIENTS,)),
    ("response", "narrowed"): (Severity.BREAKING, (PARTNER,)),
    ("response", "widened"): (Severity.BREAKING, (CLIENTS,)),
    ("response", "incompatible"): (Severity.BREAKING, (CLIENTS, PARTNER)),
    ("response", "unknown"): (Severity.CHECK, (CLIENTS, PARTNER)),
}


def _verdict(side: Side, direction: Direction) -> tuple[Severity, tuple[str, ...]]:
    if side != "both":
        return _TABLE[(side, direction)]
    (s1, b1), (s2, b2) = _TABLE[("request", direction)], _TABLE[("response", direction)]
    severity = s1 if s1.rank >= s2.rank else s2
    return severity, tuple(who for who in (CLIENTS, PARTNER) if who in b1 + b2)


def judge(side: Side, direction: Direction, where: str, message: str, kind: str) -> Change:
    """The change of a set of valid messages in ``direction`` on ``side``, with its verdict."""
    severity, breaks = _verdict(side, direction)
    if severity is Severity.CHECK and not message.endswith("; check"):
        message += "; check"
    return Change(severity, breaks, where, message, kind)


def removed(where: str, message: str, kind: str, breaks: tuple[str, ...] = (CLIENTS,)) -> Change:
    """Something clients send or read is gone."""
    return Change(Severity.BREAKING, breaks, where, message, kind)


def added(side: Side, where: str, message: str, kind: str, *, required: bool = False) -> Change:
    """A new field, element, operation...: compatible, unless it is required (which narrows)."""
    if required:
        return judge(side, "narrowed", where, message, kind)
    return Change(Severity.OK, (), where, message, kind)
