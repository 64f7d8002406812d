"""Breaking changes between two OpenAPI 3.1 documents.

Operations are matched by method and path (parameter names in the path do not matter); the partner's
host (``x-partnersim-host``) is compared as part of the operation. Requests are judged as clients send
them, responses as the partner writes them (see ``contracts.diff.model``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from contracts.diff.jsonschema import SchemaDiff, deref
from contracts.diff.model import CLIENTS, Change, Severity, added, judge, removed

__all__ = ["diff_openapi"]

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_PARAM = re.compile(r"\{[^}/]+\}")


@dataclass(frozen=True)
class _Op:
    name: str
    method: str
    path: str
    host: str
    spec: Mapping[str, Any]
    params: dict[tuple[str, str], Mapping[str, Any]]


def _operations(doc: Mapping[str, Any]) -> dict[tuple[str, str], _Op]:
    out: dict[tuple[str, str], _Op] = {}
    for path, raw_item in (doc.get("paths") or {}).items():
        item = deref(doc, raw_item)
        if not isinstance(item, Mapping):
            continue
        shared = [deref(doc, p) for p in item.get("parameters") or []]
        for method in _METHODS:
            spec = item.get(method)
            if not isinstance(spec, Mapping):
                continue
            params: dict[tuple[str, str], Mapping[str, Any]] = {}
            for param in shared + [deref(doc, p) for p in spec.get("parameters") or []]:
                if isinstance(param, Mapping) and "name" in param:
                    where = str(param.get("in", ""))
                    name = str(param["name"])
                    params[(where, name.lower() if where == "header" else name)] = param
            key = (method.upper(), _PARAM.sub("{}", str(path)))
            out[key] = _Op(str(spec.get("operationId") or f"{method.upper()} {path}"), method.upper(), str(path),
                           str(item.get("x-partnersim-host", "")), spec, params)
    return out


def diff_openapi(old_doc: Mapping[str, Any], new_doc: Mapping[str, Any]) -> Iterator[Change]:
    """Every change from ``old_doc`` to ``new_doc`` (two OpenAPI documents as loaded from YAML)."""
    schemas = SchemaDiff(old_doc, new_doc)
    old_ops, new_ops = _operations(old_doc), _operations(new_doc)
    for key, old in old_ops.items():
        new = new_ops.get(key)
        host = f" (host {old.host})" if old.host else ""
        if new is None:
            yield removed(old.name, f"operation {old.method} {old.path}{host} removed", "operation-removed")
            continue
        yield from _operation(schemas, old, new)
    for key, new in new_ops.items():
        if key not in old_ops:
            host = f" (host {new.host})" if new.host else ""
            yield added("request", new.name, f"operation {new.method} {new.path}{host} added", "operation-added")


def _operation(schemas: SchemaDiff, old: _Op, new: _Op) -> Iterator[Change]:
    where = new.name
    if old.host != new.host:
        yield removed(where, f"moved from host {old.host or '(none)'} to host {new.host or '(none)'}", "host-changed")
    if old.name != new.name:
        yield Change(Severity.OK, (), where, f"operationId renamed from {old.name} (scenarios and fault plans "
                     "name operations by it)", "operation-renamed")
    yield from _parameters(schemas, old, new)
    yield from _request_body(schemas, old, new)
    yield from _responses(schemas, old, new)


def _parameters(schemas: SchemaDiff, old: _Op, new: _Op) -> Iterator[Change]:
    for key, param in old.params.items():
        label = f"{key[0]} parameter {param['name']}"
        other = new.params.get(key)
        if other is None:
            yield removed(new.name, f"{label} removed", "parameter-removed")
            continue
        was, now = bool(param.get("required")), bool(other.get("required"))
        if now and not was:
            yield judge("request", "narrowed", new.name, f"{label} made required", "parameter-required")
        elif was and not now:
            yield judge("request", "widened", new.name, f"{label} made optional", "parameter-optional")
        yield from schemas.compare(param.get("schema", {}), other.get("schema", {}), "request", new.name, label)
    for key, param in new.params.items():
        if key not in old.params:
            required = bool(param.get("required"))
            yield added("request", new.name, f"{key[0]} parameter {param['name']} added"
                        f"{' (required)' if required else ''}", "parameter-added", required=required)


def _content(schemas: SchemaDiff, old: Mapping[str, Any], new: Mapping[str, Any], where: str,
             label: str, side: str) -> Iterator[Change]:
    old_media: Mapping[str, Any] = old.get("content") or {}
    new_media: Mapping[str, Any] = new.get("content") or {}
    for media, spec in old_media.items():
        if media not in new_media:
            yield removed(where, f"{label} media type {media} removed", "media-type-removed")
            continue
        yield from schemas.compare((spec or {}).get("schema", {}), (new_media[media] or {}).get("schema", {}),
                                   "request" if side == "request" else "response", where, label)
    for media in new_media:
        if media not in old_media:
            yield added("request", where, f"{label} media type {media} added", "media-type-added")


def _request_body(schemas: SchemaDiff, old: _Op, new: _Op) -> Iterator[Change]:
    before = deref(schemas.old_doc, old.spec.get("requestBody"))
    after = deref(schemas.new_doc, new.spec.get("requestBody"))
    if not isinstance(before, Mapping) and not isinstance(after, Mapping):
        return
    if not isinstance(after, Mapping):
        yield removed(new.name, "request body removed", "request-body-removed")
        return
    if not isinstance(before, Mapping):
        required = bool(after.get("required"))
        yield added("request", new.name, f"request body added{' (required)' if required else ''}",
                    "request-body-added", required=required)
        return
    if after.get("required") and not before.get("required"):
        yield judge("request", "narrowed", new.name, "request body made required", "request-body-required")
    yield from _content(schemas, before, after, new.name, "request body", "request")


def _responses(schemas: SchemaDiff, old: _Op, new: _Op) -> Iterator[Change]:
    old_codes: Mapping[str, Any] = old.spec.get("responses") or {}
    new_codes: Mapping[str, Any] = new.spec.get("responses") or {}
    for code, raw in old_codes.items():
        if str(code) not in {str(c) for c in new_codes}:
            yield removed(new.name, f"response {code} removed", "status-removed", (CLIENTS,))
            continue
        other = next(v for c, v in new_codes.items() if str(c) == str(code))
        before, after = deref(schemas.old_doc, raw), deref(schemas.new_doc, other)
        if isinstance(before, Mapping) and isinstance(after, Mapping):
            yield from _content(schemas, before, after, new.name, f"response {code} body", "response")
    for code in new_codes:
        if str(code) not in {str(c) for c in old_codes}:
            yield added("response", new.name, f"response {code} added", "status-added")
