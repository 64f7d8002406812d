"""Comparing two JSON Schemas (OpenAPI 3.1) that describe the same message part.

Local ``$ref``s are followed in each schema's own document and ``allOf`` is merged into one schema, so
a field moved into a shared component is not a change. ``anyOf`` / ``oneOf`` alternatives are matched
by the component they reference (by position when inline).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from contracts.diff.constraints import Delta, enum_delta, lower_bound_delta, pattern_delta, upper_bound_delta
from contracts.diff.model import Change, Side, added, judge, removed

__all__ = ["SchemaDiff", "deref"]

_MAX_DEPTH = 24
_AS_WRITTEN = ("if", "then", "else", "not", "dependentRequired", "dependentSchemas", "patternProperties",
               "prefixItems", "uniqueItems", "propertyNames")


def deref(doc: Mapping[str, Any], node: Any) -> Any:
    """``node`` with its local ``$ref``s followed; keys beside a ``$ref`` win over the target's."""
    seen: set[str] = set()
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if not ref.startswith("#/") or ref in seen:
            return {k: v for k, v in node.items() if k != "$ref"}
        seen.add(ref)
        target: Any = doc
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, Mapping) else None
        if not isinstance(target, Mapping):
            return {k: v for k, v in node.items() if k != "$ref"}
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _ref_name(node: Any) -> str | None:
    if isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        return str(node["$ref"]).rsplit("/", 1)[-1]
    return None


def _types(schema: Mapping[str, Any]) -> set[str] | None:
    t = schema.get("type")
    if t is None:
        return None
    return {str(t)} if isinstance(t, str) else {str(x) for x in t}


def _covers(types: set[str], t: str) -> bool:
    return t in types or (t == "integer" and "number" in types)


def _type_delta(old: set[str] | None, new: set[str] | None) -> list[Delta]:
    if old == new:
        return []
    if old is None:
        return [("narrowed", f"type restricted to {', '.join(sorted(new or ()))}")]
    if new is None:
        return [("widened", f"type no longer restricted to {', '.join(sorted(old))}")]
    narrower = all(_covers(old, t) for t in new)
    wider = all(_covers(new, t) for t in old)
    text = f"type changed from {', '.join(sorted(old))} to {', '.join(sorted(new))}"
    if narrower:
        return [("narrowed", text)]
    if wider:
        return [("widened", text)]
    return [("incompatible", text)]


def _enum(schema: Mapping[str, Any]) -> set[str] | None:
    if "const" in schema:
        return {json.dumps(schema["const"])}
    if isinstance(schema.get("enum"), list):
        return {json.dumps(v) for v in schema["enum"]}
    return None


def _number(schema: Mapping[str, Any], key: str) -> float | None:
    value = schema.get(key)
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


class SchemaDiff:
    """Compares schemas of ``old_doc`` with schemas of ``new_doc``, yielding ``Change``s."""

    def __init__(self, old_doc: Mapping[str, Any], new_doc: Mapping[str, Any]) -> None:
        self.old_doc, self.new_doc = old_doc, new_doc

    def _flat(self, doc: Mapping[str, Any], node: Any, depth: int = 0) -> dict[str, Any]:
        node = deref(doc, node)
        if not isinstance(node, Mapping):
            return {} if node is True or node is None else {"not": {}}
        if "allOf" not in node or depth > _MAX_DEPTH:
            return dict(node)
        merged: dict[str, Any] = {k: v for k, v in node.items() if k != "allOf"}
        for part in node["allOf"]:
            flat = self._flat(doc, part, depth + 1)
            for key, value in flat.items():
                if key == "properties" and isinstance(value, Mapping):
                    props = dict(merged.get("properties") or {})
                    for name, sub in value.items():
                        props[name] = {"allOf": [props[name], sub]} if name in props else sub
                    merged["properties"] = props
                elif key == "required" and isinstance(value, list):
                    merged["required"] = sorted(set(merged.get("required") or []) | set(map(str, value)))
                else:
                    merged.setdefault(key, value)
        return merged

    def compare(self, old: Any, new: Any, side: Side, where: str, label: str, loc: str = "",
                depth: int = 0) -> Iterator[Change]:
        """Every change from schema ``old`` to schema ``new`` of the part ``label`` (``request body``)."""
        if depth > _MAX_DEPTH:
            return
        o, n = self._flat(self.old_doc, old), self._flat(self.new_doc, new)
        subject = f"{label} field {loc}" if loc else label
        deltas: list[Delta] = []
        deltas += _type_delta(_types(o), _types(n))
        deltas += enum_delta(_enum(o), _enum(n))
        deltas += pattern_delta([str(o["pattern"])] if "pattern" in o else [],
                                [str(n["pattern"])] if "pattern" in n else [])
        for key in ("maxLength", "maxItems", "maximum", "exclusiveMaximum", "maxProperties"):
            deltas += upper_bound_delta(key, _number(o, key), _number(n, key))
        for key in ("minLength", "minItems", "minimum", "exclusiveMinimum", "minProperties"):
            deltas += lower_bound_delta(key, _number(o, key), _number(n, key))
        for key in ("format", "multipleOf", "contentMediaType"):
            if o.get(key) != n.get(key):
                deltas.append(("unknown", f"{key} changed from {o.get(key)!r} to {n.get(key)!r}"))
        # Conditional and other rarely used keywords are compared as written (best effort).
        for key in _AS_WRITTEN:
            if json.dumps(o.get(key), sort_keys=True) != json.dumps(n.get(key), sort_keys=True):
                deltas.append(("unknown", f"{key} changed"))
        for direction, text in deltas:
            yield judge(side, direction, where, f"{subject}: {text}", f"schema-{direction}")
        yield from self._properties(o, n, side, where, label, loc, depth)
        if "items" in o and "items" in n:
            yield from self.compare(o["items"], n["items"], side, where, label, f"{loc}/*", depth + 1)
        for key in ("anyOf", "oneOf"):
            yield from self._alternatives(key, o, n, side, where, label, loc, depth)

    def _properties(self, o: Mapping[str, Any], n: Mapping[str, Any], side: Side, where: str, label: str,
                    loc: str, depth: int) -> Iterator[Change]:
        old_props: Mapping[str, Any] = o.get("properties") or {}
        new_props: Mapping[str, Any] = n.get("properties") or {}
        old_req, new_req = set(o.get("required") or []), set(n.get("required") or [])
        for name in old_props:
            field = f"{label} field {loc}/{name}"
            if name not in new_props:
                yield removed(where, f"{field} removed", "field-removed")
                continue
            if name in new_req and name not in old_req:
                yield judge(side, "narrowed", where, f"{field} made required", "field-required")
            elif name in old_req and name not in new_req:
                yield judge(side, "widened", where, f"{field} made optional", "field-optional")
            yield from self.compare(old_props[name], new_props[name], side, where, label, f"{loc}/{name}", depth + 1)
        for name in new_props:
            if name not in old_props:
                required = name in new_req
                yield added(side, where, f"{label} field {loc}/{name} added{' (required)' if required else ''}",
                            "field-added", required=required)
        for name in sorted(new_req - old_req - set(new_props)):
            yield judge(side, "narrowed", where, f"{label} field {loc}/{name} made required", "field-required")
        old_extra = o.get("additionalProperties", True) is not False
        new_extra = n.get("additionalProperties", True) is not False
        if old_extra != new_extra:
            subject = f"{label} field {loc}" if loc else label
            text = "other fields no longer allowed" if old_extra else "other fields now allowed"
            yield judge(side, "narrowed" if old_extra else "widened", where, f"{subject}: {text}",
                        "additional-properties")

    def _alternatives(self, key: str, o: Mapping[str, Any], n: Mapping[str, Any], side: Side, where: str,
                      label: str, loc: str, depth: int) -> Iterator[Change]:
        before, after = o.get(key), n.get(key)
        if not isinstance(before, list) and not isinstance(after, list):
            return
        subject = f"{label} field {loc}" if loc else label
        if not isinstance(before, list) or not isinstance(after, list):
            yield judge(side, "unknown", where, f"{subject}: {key} alternatives changed", "alternatives-changed")
            return

        def keyed(items: list[Any]) -> dict[str, Any]:
            return {(_ref_name(item) or f"#{i}"): item for i, item in enumerate(items)}

        old_alts, new_alts = keyed(before), keyed(after)
        for name, schema in old_alts.items():
            if name not in new_alts:
                yield judge(side, "narrowed", where, f"{subject}: {key} alternative {name} removed", "alternative-removed")
            else:
                yield from self.compare(schema, new_alts[name], side, where, label, loc, depth + 1)
        for name in new_alts:
            if name not in old_alts:
                yield judge(side, "widened", where, f"{subject}: {key} alternative {name} added", "alternative-added")
