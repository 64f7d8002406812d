"""``Violation``: one way in which a message does not conform to a contract."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Violation", "best_match"]


@dataclass(frozen=True)
class Violation:
    """Where a message breaks its contract, which rule it broke, what was expected and what was found.

    ``location`` is in the partner's own terms: ``body /data/attributes/payment_amount`` (a JSON
    pointer), ``query customer_username``, ``header Content-Type``, ``status``, ``path``,
    ``payload /remitBatch/remit/amount`` (an XPath into a CDATA payload), ``contentInfo Amount``,
    ``line 3 FileSpecID 11`` (a BIF file).
    ``contract`` names the rule: the document and the JSON pointer or section inside it.
    """

    location: str
    expected: str
    found: str
    contract: str = ""
    message: str = ""

    def __str__(self) -> str:
        text = f"{self.location}: expected {self.expected}, found {self.found}"
        if self.message:
            text += f" ({self.message})"
        if self.contract:
            text += f" [{self.contract}]"
        return text

    def to_dict(self) -> dict[str, str]:
        data = {"location": self.location, "expected": self.expected, "found": self.found}
        if self.contract:
            data["contract"] = self.contract
        if self.message:
            data["message"] = self.message
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Violation:
        return cls(
            location=str(data.get("location", "")),
            expected=str(data.get("expected", "")),
            found=str(data.get("found", "")),
            contract=str(data.get("contract", "")),
            message=str(data.get("message", "")),
        )


_PRIORITY = ("path", "method", "header", "query", "body", "payload", "status")


@dataclass(order=True)
class _Ranked:
    rank: tuple[int, int]
    violation: Violation = field(compare=False)


def best_match(violations: Iterable[Violation]) -> Violation | None:
    """The violation a person should read first (as jsonschema's ``best_match``).

    The outermost part of the message wins (a wrong path before a wrong header before a wrong
    field), then the shallowest location inside it.
    """
    ranked = []
    for v in violations:
        part = v.location.split(" ", 1)[0]
        order = _PRIORITY.index(part) if part in _PRIORITY else len(_PRIORITY)
        ranked.append(_Ranked((order, v.location.count("/")), v))
    return min(ranked).violation if ranked else None
