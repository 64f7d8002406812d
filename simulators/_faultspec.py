"""The written form of a fault plan, checked field by field (``simulators.faults``' parser).

Every check raises ``FaultPlanError`` naming the field that is wrong and saying what was expected and
what was found, so that the admin API's 400 and the scenario loader's error read the same.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from contracts.exchange import Request
from simulators.errors import SimulatorError

if TYPE_CHECKING:
    from contracts import Contract

    from simulators.partner import PartnerSimulator

EFFECTS = ("status", "delay", "drop", "corrupt", "answer", "token")
FIELDS = ("partner", "operation", "body_contains", "where", *EFFECTS, "body", "content_type", "then_answer", "times")
DROPS = ("before", "after")
CORRUPTIONS = ("empty", "truncated", "malformed")
TOKENS = ("expired", "revoked")
MAX_DELAY = 300.0  # seconds: longer than any client timeout worth testing, short enough to stop a server


class FaultPlanError(SimulatorError):
    """A fault plan that cannot be applied as written; ``field`` names the part that is wrong."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(f"{field}: {detail}")
        self.field = field
        self.detail = detail


def holds(expected: Any, found: str | None) -> bool:
    if isinstance(expected, Mapping):
        return found is not None and re.search(str(expected["matches"]), found) is not None
    if expected is None:
        return found is None
    if found is None:
        return False
    if isinstance(expected, bool):
        return found.lower() == str(expected).lower()
    if isinstance(expected, (int, float)):
        try:
            return Decimal(found) == Decimal(str(expected))
        except InvalidOperation:
            return False
    return bool(found == expected)


# -- parsing helpers --------------------------------------------------------------------------------
def kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    return "a list" if isinstance(value, list) else "an object" if isinstance(value, Mapping) else f"a {type(value).__name__}"


def match_of(doc: Mapping[str, Any], partners: Sequence[str],
           operations: Callable[[str], Sequence[str]]) -> tuple[str, str]:
    operation = doc.get("operation", "")
    if not isinstance(operation, str) or ("operation" in doc and not operation):
        raise FaultPlanError("operation", f"expected an operation name such as Pay_Input or tccs.Pay_Input, "
                                          f"found {kind_of(operation)}")
    qualifier, _, name = operation.rpartition(".")
    if "partner" not in doc and not qualifier:
        raise FaultPlanError("partner", f"missing: name the partner ({', '.join(partners)}) or qualify the "
                                        "operation (partner.operation)")
    partner = doc.get("partner", qualifier)
    if not isinstance(partner, str) or not partner:
        raise FaultPlanError("partner", f"expected the name of a partner ({', '.join(partners)}), "
                                        f"found {kind_of(doc.get('partner'))}")
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


def where_of(value: Any, contract: Contract | None) -> tuple[tuple[str, Any], ...]:
    """``where``: request fields in the partner's terms, each a value or ``{matches: <regex>}``."""
    hint = ('a JSON object of request fields in the partner\'s terms, e.g. {"/data/attributes/payment_amount": 77}, '
            '{"contentInfo amount": "24.00"}, {"payload //remit/paymentID": {"matches": "^46"}}')
    if not isinstance(value, Mapping) or not value:
        raise FaultPlanError("where", f"expected {hint}; found {kind_of(value)}")
    out: list[tuple[str, Any]] = []
    for name, expected in value.items():
        if not isinstance(name, str) or not name.strip():
            raise FaultPlanError("where", f"expected field names as text; found {kind_of(name)}")
        if contract is not None:
            try:  # a name of a kind the partner does not know, or an XPath that does not compile
                contract.field(Request("POST", "/"), name)
            except KeyError as exc:
                raise FaultPlanError("where", f"{name!r}: {exc.args[0]}") from None
        if isinstance(expected, Mapping):
            if set(expected) != {"matches"} or not isinstance(expected["matches"], str):
                raise FaultPlanError("where", f"{name!r}: expected a value, or {{\"matches\": <regular expression>}}; "
                                              f"found {json.dumps(expected)}")
            try:
                re.compile(expected["matches"])
            except re.error as exc:
                raise FaultPlanError("where", f"{name!r}: {expected['matches']!r} is not a regular expression: "
                                              f"{exc}") from None
        elif expected is not None and not isinstance(expected, (str, int, float, bool)):
            raise FaultPlanError("where", f"{name!r}: expected text, a number, true/false, null (absent) or "
                                          f"{{\"matches\": <regular expression>}}; found {kind_of(expected)}")
        out.append((name, dict(expected) if isinstance(expected, Mapping) else expected))
    return tuple(out)


def effect_of(doc: Mapping[str, Any]) -> str:
    given = [e for e in EFFECTS if e in doc]
    if len(given) != 1:
        found = f"found {' and '.join(given)}" if given else "found none"
        raise FaultPlanError(given[1] if given else "effect",
                             f"a fault plan has exactly one effect: {', '.join(EFFECTS[:-1])} or {EFFECTS[-1]}; {found}")
    effect = given[0]
    value = doc[effect]
    if effect == "delay":
        delay_of(value)
    if effect == "drop" and value not in (True, *DROPS):
        raise FaultPlanError("drop", "expected before (the partner never sees the request), after (the partner "
                                     f"handles it, then the connection closes) or true; found {kind_of(value)}")
    if effect == "corrupt" and value not in CORRUPTIONS:
        raise FaultPlanError("corrupt", f"expected one of {', '.join(CORRUPTIONS)}; found {kind_of(value)}")
    if effect == "token" and value not in TOKENS:
        raise FaultPlanError("token", f"expected one of {', '.join(TOKENS)}; found {kind_of(value)}")
    return effect


def _seconds(value: Any, where: str, least: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not least < value <= MAX_DELAY:
        bound = "more than 0" if least == 0 else f"more than {least:g}"
        raise FaultPlanError("delay", f"{where}expected seconds, {bound} and at most {MAX_DELAY:g}; found {kind_of(value)}")
    return float(value)


def delay_of(value: Any) -> tuple[float, float | None]:
    """``delay: 2.5`` (fixed) or ``delay: {min: 0.5, max: 1.5}`` (random): least and most seconds."""
    if not isinstance(value, Mapping):
        return _seconds(value, "", 0), None
    if set(value) != {"min", "max"}:
        raise FaultPlanError("delay", f"a random delay is {{\"min\": seconds, \"max\": seconds}}; found "
                                      f"{', '.join(map(str, value)) or 'no key'}")
    low = value["min"]
    if isinstance(low, bool) or not isinstance(low, (int, float)) or not 0 <= low < MAX_DELAY:
        raise FaultPlanError("delay", f"min: expected seconds, 0 or more; found {kind_of(low)}")
    return float(low), _seconds(value["max"], "max: ", float(low))


def answer_of(doc: Mapping[str, Any], effect: str) -> tuple[str, str, str]:
    """(kind, code, message) of an answer or token effect; empty for the others."""
    if effect == "token":
        return "token", str(doc["token"]), ""
    if effect != "answer":
        return "", "", ""
    value = doc["answer"]
    example = 'e.g. {"return_code": "FAILURE"} or {"error": "not_found", "message": "..."}'
    if not isinstance(value, Mapping):
        raise FaultPlanError("answer", f"expected an object with one kind of answer and its code, {example}; "
                                       f"found {kind_of(value)}")
    kinds = [k for k in value if k != "message"]
    if len(kinds) != 1:
        raise FaultPlanError("answer", f"expected one kind of answer and its code, {example}; found "
                                       f"{', '.join(map(str, kinds)) or 'none'}")
    kind, code, message = str(kinds[0]), value[kinds[0]], value.get("message", "")
    if not isinstance(code, str) or not code:
        raise FaultPlanError("answer", f"{kind}: expected a code as text, found {kind_of(code)}")
    if not isinstance(message, str):
        raise FaultPlanError("answer", f"message: expected text, found {kind_of(message)}")
    return kind, code, message


def check_answer(sim: PartnerSimulator, kind: str, code: str, message: str, operation: str) -> None:
    """Refuse an answer the partner does not give, by asking the partner to make it (no request yet)."""
    field = "token" if kind == "token" else "answer"
    offered = dict(sim.answer_kinds)
    if kind not in offered:
        listed = "; ".join(f"{k}: {v}" for k, v in offered.items() if k != "token") or "none"
        raise FaultPlanError(field, f"{sim.name} gives no {kind!r} answer; its answers: {listed}")
    try:
        made = sim.fault_answer(kind, code, operation, message=message)
    except ValueError as exc:
        raise FaultPlanError(field, f"{kind}: {exc}") from None
    if made is None:
        raise FaultPlanError(field, f"{kind}: {sim.name} gives no such answer to {operation or 'its requests'}; "
                                    f"{offered[kind]}")


def status_of(doc: Mapping[str, Any]) -> int:
    value = doc["status"]
    if isinstance(value, bool) or not isinstance(value, int) or not 200 <= value <= 599:
        raise FaultPlanError("status", f"expected an HTTP status from 200 to 599, found {kind_of(value)}")
    return value


def text_of(doc: Mapping[str, Any], key: str, effect: str, allow_empty: bool = False) -> str | None:
    if key not in doc:
        return None
    if effect != "status":
        raise FaultPlanError(key, f"{key} goes with a status effect; a {effect} plan has no answer of its own")
    value = doc[key]
    if not isinstance(value, str) or (not value and not allow_empty):
        raise FaultPlanError(key, f"expected {'text' if allow_empty else 'non-empty text'}, found {kind_of(value)}")
    return value
