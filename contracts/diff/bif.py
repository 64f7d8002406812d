"""Breaking changes between two BIF field mappings (``contracts/<partner>/bif_mapping.yaml``).

The partner's side writes the BIF and IC reads it, so a mapping is judged as a response: a narrowed
field (made required, a narrower format, a fixed value) breaks the partner, whose files may now be
refused; a widened one breaks clients, who may read what they do not handle. A FileSpecID removed
breaks both: IC no longer reads it, and a file that still carries it is refused.
"""

from __future__ import annotations

from collections.abc import Iterator

from contracts.bif.mapping import BifMapping, FieldSpec
from contracts.diff.constraints import Delta, pattern_delta
from contracts.diff.model import CLIENTS, PARTNER, Change, added, judge, removed

__all__ = ["diff_mappings"]

#: The formats whose values another format also accepts (``1`` is a boolean, an integer and money).
_WITHIN: dict[str, set[str]] = {
    "boolean": {"integer", "money", "string"},
    "integer": {"money", "string"},
    "money": {"string"},
    "date": {"string"},
    "guid": {"string"},
    "string": set(),
}


def _format_delta(old: str, new: str) -> list[Delta]:
    if old == new:
        return []
    text = f"format changed from {old} to {new}"
    if old in _WITHIN.get(new, set()):
        return [("narrowed", text)]
    if new in _WITHIN.get(old, set()):
        return [("widened", text)]
    return [("incompatible", text)]


def _field_delta(old: FieldSpec, new: FieldSpec) -> list[Delta]:
    deltas: list[Delta] = []
    if new.required and not old.required:
        deltas.append(("narrowed", "made required"))
    elif old.required and not new.required:
        deltas.append(("widened", "made optional"))
    deltas += _format_delta(old.format, new.format)
    if old.fixed != new.fixed:
        if old.fixed is None:
            deltas.append(("narrowed", f"fixed to {new.fixed!r}"))
        elif new.fixed is None:
            deltas.append(("widened", f"no longer fixed to {old.fixed!r}"))
        else:
            deltas.append(("incompatible", f"fixed value changed from {old.fixed!r} to {new.fixed!r}"))
    deltas += pattern_delta([old.pattern] if old.pattern else [], [new.pattern] if new.pattern else [])
    if old.name != new.name:
        deltas.append(("unknown", f"IC field renamed from {old.name} to {new.name}"))
    return deltas


def diff_mappings(old: BifMapping, new: BifMapping) -> Iterator[Change]:
    before = {(f.record, f.spec_id): f for f in old.fields}
    after = {(f.record, f.spec_id): f for f in new.fields}
    for key, spec in before.items():
        where = f"BIF {spec.record} FileSpecID {spec.spec_id}"
        other = after.get(key)
        if other is None or (spec.in_file and not other.in_file):
            what = "removed" if other is None else "no longer in the file"
            yield removed(where, f"{spec.name} {what}", "filespec-removed", (CLIENTS, PARTNER))
            continue
        for direction, text in _field_delta(spec, other):
            yield judge("response", direction, where, f"{other.name} {text}", f"filespec-{direction}")
    for key, spec in after.items():
        if key not in before:
            required = spec.required and spec.in_file
            yield added("response", f"BIF {spec.record} FileSpecID {spec.spec_id}",
                        f"{spec.name} added{' (required)' if required else ''}", "filespec-added", required=required)
    for rule in old.rules:
        if rule not in new.rules:
            yield judge("response", "widened", "BIF rules", f"rule {rule} removed", "rule-removed")
    for rule in new.rules:
        if rule not in old.rules:
            yield judge("response", "narrowed", "BIF rules", f"rule {rule} added", "rule-added")
