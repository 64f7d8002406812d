"""Comparing one constraint of a value across two versions: enumerations, patterns, bounds.

Each function answers a list of ``(direction, message)``: empty when nothing changed, one entry per
way the set of valid values moved. The engines turn them into ``Change``s for their side.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from contracts.diff.model import Direction

__all__ = ["Delta", "enum_delta", "pattern_delta", "upper_bound_delta", "lower_bound_delta", "literals", "shown"]

Delta = tuple[Direction, str]
_LITERAL = re.compile(r"(?:[^\\.^$*+?{}\[\]|()]|\\[^A-Za-z0-9])*")
_MAX_SHOWN = 6


def shown(values: Iterable[str]) -> str:
    items = sorted(values)
    text = ", ".join(items[:_MAX_SHOWN])
    return text + (f" and {len(items) - _MAX_SHOWN} more" if len(items) > _MAX_SHOWN else "")


def enum_delta(old: set[str] | None, new: set[str] | None, noun: str = "value") -> list[Delta]:
    """An enumeration (None: not restricted to a list)."""
    if old == new:
        return []
    if old is None and new is not None:
        return [("narrowed", f"restricted to the {noun}s {shown(new)}")]
    if new is None and old is not None:
        return [("widened", f"no longer restricted to the {noun}s {shown(old)}")]
    assert old is not None and new is not None
    out: list[Delta] = []
    if old - new:
        out.append(("narrowed", f"{noun}(s) {shown(old - new)} removed"))
    if new - old:
        out.append(("widened", f"{noun}(s) {shown(new - old)} added"))
    return out


def _split_top(pattern: str) -> list[str] | None:
    """The alternatives of a pattern at its top level, or None when a group is unbalanced."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts if depth == 0 else None


def literals(pattern: str) -> set[str] | None:
    """The strings a pattern matches when it is a plain alternation of literals (``CC|ACH``,
    ``^(?:Y|N)$``); None when it is anything else."""
    text = pattern
    if text.startswith("^"):
        text = text[1:]
    if text.endswith("$") and not text.endswith("\\$"):
        text = text[:-1]
    for opener in ("(?:", "("):
        if text.startswith(opener) and text.endswith(")") and _split_top(text[len(opener):-1]) is not None \
                and _balanced_inside(text[len(opener):-1]):
            text = text[len(opener):-1]
            break
    parts = _split_top(text)
    if parts is None or not all(_LITERAL.fullmatch(p) for p in parts):
        return None
    return {re.sub(r"\\(.)", r"\1", p) for p in parts}


def _balanced_inside(text: str) -> bool:
    depth, i = 0, 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth < 0:
            return False
        i += 1
    return depth == 0


def pattern_delta(old: Iterable[str], new: Iterable[str]) -> list[Delta]:
    """Patterns (all must match). Best effort: a pattern replaced by another is ``unknown`` unless
    both are alternations of literals, which compare as enumerations."""
    before, after = tuple(old), tuple(new)
    if set(before) == set(after):
        return []
    if not before:
        return [("narrowed", f"pattern {shown(after)} added")]
    if not after:
        return [("widened", f"pattern {shown(before)} removed")]
    if len(before) == 1 and len(after) == 1:
        a, b = literals(before[0]), literals(after[0])
        if a is not None and b is not None:
            return enum_delta(a, b)
    if set(before) < set(after):
        return [("narrowed", f"pattern {shown(set(after) - set(before))} added")]
    if set(after) < set(before):
        return [("widened", f"pattern {shown(set(before) - set(after))} removed")]
    return [("unknown", f"pattern changed from {' & '.join(before)} to {' & '.join(after)}")]


def _n(value: float | int | None) -> str:
    if value is None:
        return "unbounded"
    return str(int(value)) if float(value).is_integer() else str(value)


def upper_bound_delta(name: str, old: float | int | None, new: float | int | None) -> list[Delta]:
    """A maximum (maxLength, maxItems, maximum...): lowered or added narrows."""
    if old == new:
        return []
    if new is None:
        return [("widened", f"{name} {_n(old)} removed" if name != "maxOccurs" else f"{name} raised from {_n(old)} to unbounded")]
    if old is None or new < old:
        return [("narrowed", f"{name} {'added: ' if old is None and name != 'maxOccurs' else f'lowered from {_n(old)} to '}{_n(new)}")]
    return [("widened", f"{name} raised from {_n(old)} to {_n(new)}")]


def lower_bound_delta(name: str, old: float | int | None, new: float | int | None) -> list[Delta]:
    """A minimum (minLength, minOccurs, minimum...): raised or added narrows."""
    if old == new:
        return []
    if new is None:
        return [("widened", f"{name} {_n(old)} removed")]
    if old is None or new > old:
        return [("narrowed", f"{name} {'added: ' if old is None else f'raised from {_n(old)} to '}{_n(new)}")]
    return [("widened", f"{name} lowered from {_n(old)} to {_n(new)}")]
