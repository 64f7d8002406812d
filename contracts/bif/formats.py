"""The value formats of BIF fields, and their conversion to and from Python values.

Each format is named in a mapping's ``format:`` key, so the names are part of the mapping language:
``string``, ``date`` (``MM/DD/YYYY``, the designs' "mm/dd/yyyy"), ``money`` (a decimal amount such as
``494.90``, no thousands separator, no currency sign), ``boolean`` (``1`` or ``0``: the designs' samples
and static values, ``20~1``, ``194~1``, "Static Value - '0'"), ``integer`` and ``guid``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from contracts.errors import BifError

__all__ = [
    "Format",
    "FORMATS",
    "to_date",
    "to_money",
    "to_bool",
    "date_text",
    "money_text",
    "bool_text",
]

_MONEY = re.compile(r"-?\d+(\.\d{1,2})?")
_INTEGER = re.compile(r"\d+")
_GUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
_DATE = re.compile(r"\d{2}/\d{2}/\d{4}")


def _is_date(value: str) -> bool:
    if not _DATE.fullmatch(value):
        return False
    try:
        datetime.strptime(value, "%m/%d/%Y")
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Format:
    """A named value format: what a message calls it and whether a (non-empty) value matches."""

    name: str
    description: str
    matches: Callable[[str], bool]


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("string", "any text", lambda v: True),
        Format("date", "a date MM/DD/YYYY", _is_date),
        Format("money", "an amount such as 494.90 (digits, optional '-', at most 2 decimals)",
               lambda v: bool(_MONEY.fullmatch(v))),
        Format("boolean", "1 or 0", lambda v: v in ("1", "0")),
        Format("integer", "a whole number", lambda v: bool(_INTEGER.fullmatch(v))),
        Format("guid", "a GUID such as B3D8E0C6-0A66-4566-BD1F-480C87121EA6", lambda v: bool(_GUID.fullmatch(v))),
    )
}


def _bad(where: str, value: str, fmt: str) -> BifError:
    return BifError(f"{where}: {value!r} is not {FORMATS[fmt].description}; run `partnersim bif check` "
                    "to see every problem of the file")


def to_date(value: str, where: str = "value") -> date | None:
    """The date of an ``MM/DD/YYYY`` value, None when empty."""
    if not value:
        return None
    if not _is_date(value):
        raise _bad(where, value, "date")
    return datetime.strptime(value, "%m/%d/%Y").date()


def to_money(value: str, where: str = "value") -> Decimal | None:
    """The amount of a money value, None when empty; the scale is kept (``494.90`` stays 494.90)."""
    if not value:
        return None
    if not _MONEY.fullmatch(value):
        raise _bad(where, value, "money")
    try:
        return Decimal(value)
    except InvalidOperation as exc:  # unreachable after the pattern, kept so a bad pattern fails loudly
        raise _bad(where, value, "money") from exc


def to_bool(value: str, where: str = "value") -> bool | None:
    if not value:
        return None
    if value not in ("1", "0"):
        raise _bad(where, value, "boolean")
    return value == "1"


def date_text(value: date) -> str:
    return value.strftime("%m/%d/%Y")


def money_text(value: Decimal) -> str:
    """Two decimals, as the designs' samples (``494.90``)."""
    return f"{value.quantize(Decimal('0.01')):f}"


def bool_text(value: bool) -> str:
    return "1" if value else "0"
