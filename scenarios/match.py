"""Matchers: does a value meet what a scenario expects, and if not, how does it differ?

One rule for results, errors, exchange fields and the ledger (a scenario's reader learns it once):

* a scalar is compared for equality; numbers by value (``100``, ``100.0`` and ``"100.00"`` against a
  number are equal), booleans only with booleans;
* a mapping matches a mapping that has at least the keys it names, each matching;
* a list matches a list of the same length, item by item;
* ``absent`` requires the field to be missing, ``present`` requires it to be there;
* a one-key mapping whose key is an operator applies it: ``{equals: X}`` (exact, the escape for a
  literal ``"absent"`` or an exact mapping), ``{matches: regex}`` (``re.search`` on the text),
  ``{contains: X}`` (substring, list item or mapping key), ``{starts_with: "%PDF"}``, ``{one_of: [..]}``.

``differences`` yields every ``Difference(field, expected, found)`` (pytest-httpserver's
``RequestMatcher.difference``), so a report can say exactly which field was off.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

__all__ = ["ABSENT", "OPERATORS", "Difference", "differences", "pointer_get", "shown", "check_matcher"]


class _Absent:
    def __repr__(self) -> str:
        return "absent"


ABSENT: Any = _Absent()
OPERATORS = ("equals", "matches", "contains", "starts_with", "one_of")


class Difference(NamedTuple):
    """One field that did not match: where, what the scenario expected, what was found."""

    field: str
    expected: Any
    found: Any

    def __str__(self) -> str:
        return f"{self.field}: expected {shown(self.expected)}, found {shown(self.found)}"


def shown(value: Any, limit: int = 120) -> str:
    """A value as a person reads it in a report: JSON-like, cut at ``limit`` characters."""
    if value is ABSENT:
        return "absent"
    if isinstance(value, Decimal):
        text = str(value)
    elif isinstance(value, (dict, list, str, int, float, bool)) or value is None:
        text = json.dumps(value, default=str, ensure_ascii=False)
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def operator_of(expected: Any) -> str | None:
    if isinstance(expected, Mapping) and len(expected) == 1:
        key = next(iter(expected))
        if key in OPERATORS:
            return str(key)
    return None


def check_matcher(expected: Any) -> str | None:
    """What is wrong with a matcher as written (a regex that does not compile, ...), or None."""
    op = operator_of(expected)
    if op == "matches":
        try:
            re.compile(str(expected[op]))
        except re.error as exc:
            return f"'matches' needs a regular expression; {expected[op]!r} is not one ({exc})"
    elif op == "one_of" and not isinstance(expected[op], list):
        return f"'one_of' needs a list of values, found {shown(expected[op])}"
    elif op is None and isinstance(expected, Mapping):
        for value in expected.values():
            problem = check_matcher(value)
            if problem:
                return problem
    elif isinstance(expected, list):
        for value in expected:
            problem = check_matcher(value)
            if problem:
                return problem
    return None


def differences(expected: Any, found: Any, field: str) -> Iterator[Difference]:
    """Every way in which ``found`` does not match ``expected`` (nothing when it matches)."""
    if expected == "absent":
        if found is not ABSENT:
            yield Difference(field, ABSENT, found)
        return
    if found is ABSENT:
        yield Difference(field, expected, ABSENT)
        return
    if expected == "present":
        return
    op = operator_of(expected)
    if op is not None:
        if not _operator(op, expected[op], found):
            yield Difference(field, expected, found)
        return
    if isinstance(expected, Mapping):
        if not isinstance(found, Mapping):
            yield Difference(field, expected, found)
            return
        for key, value in expected.items():
            yield from differences(value, found.get(key, ABSENT), f"{field}.{key}" if field else str(key))
        return
    if isinstance(expected, list):
        if not isinstance(found, list) or len(found) != len(expected):
            yield Difference(field, expected, found)
            return
        for index, (item, actual) in enumerate(zip(expected, found, strict=True)):
            yield from differences(item, actual, f"{field}[{index}]")
        return
    if not _equal(expected, found):
        yield Difference(field, expected, found)


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def _equal(expected: Any, found: Any) -> bool:
    if isinstance(expected, bool) or isinstance(found, bool):
        return isinstance(expected, bool) and isinstance(found, bool) and expected is found
    numeric = any(isinstance(v, (int, float, Decimal)) for v in (expected, found))
    if numeric:
        a, b = _number(expected), _number(found)
        if a is not None and b is not None:
            return a == b
    if isinstance(expected, Mapping) and isinstance(found, Mapping):
        return expected.keys() == found.keys() and all(_equal(v, found[k]) for k, v in expected.items())
    if isinstance(expected, list) and isinstance(found, list):
        return len(expected) == len(found) and all(_equal(a, b) for a, b in zip(expected, found, strict=True))
    return bool(expected == found)


def _operator(op: str, operand: Any, found: Any) -> bool:
    if op == "equals":
        return _equal(operand, found)
    if op == "one_of":
        return any(_equal(option, found) for option in operand)
    if op == "contains":
        if isinstance(found, str):
            return str(operand) in found
        if isinstance(found, list):
            return any(_equal(operand, item) for item in found)
        if isinstance(found, Mapping):
            return str(operand) in found
        return False
    text = found if isinstance(found, str) else json.dumps(found, default=str)
    if op == "matches":
        return re.search(str(operand), text) is not None
    if op == "starts_with":
        return text.startswith(str(operand))
    raise AssertionError(f"unknown operator {op}")  # OPERATORS and this function go together


def pointer_get(document: Any, pointer: str) -> Any:
    """The value at a JSON pointer (RFC 6901), or ``ABSENT``."""
    node = document
    for raw in pointer.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return ABSENT
    return node
