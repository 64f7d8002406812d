"""REST contracts from an OpenAPI 3.1 document.

A partner with several hosts (IMT: ``users`` and ``billing``) names the host of each path item with
the extension ``x-partnersim-host``; the path is the partner's own. An operation whose answer issues a
token or session says where and how it travels with ``x-partnersim-issues`` (``IssuedToken``). Schemas
are JSON Schema 2020-12 (OpenAPI 3.1), checked with ``jsonschema`` against the whole document so that ``$ref`` resolves.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from contracts.contract import Contract, IssuedToken, NearMiss, OperationInfo, OperationMatch
from contracts.errors import ContractLoadError
from contracts.exchange import Request, Response
from contracts.jsonbody import (
    FORMAT_CHECKER,
    CompiledSchema,
    BodyError,
    is_form_media,
    is_json_media,
    parse_body,
    schema_violations,
)
from contracts.violation import Violation

__all__ = ["OpenApiContract"]

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
_PARAM = re.compile(r"\{([^}/]+)\}")


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _issued_token(raw: Any, where: str) -> IssuedToken | None:
    """``x-partnersim-issues`` of an operation: the token or session its answer issues (``IssuedToken``)."""
    if raw is None:
        return None
    fields = ("name", "carried_in", "carried_as", "json", "header", "matches")
    if (not isinstance(raw, dict) or not all(isinstance(raw.get(k), str) for k in ("name", "carried_in"))
            or set(raw) - set(fields) or not (raw.get("json") or raw.get("header"))):
        raise ContractLoadError(f"{where}/x-partnersim-issues: expected {{name, carried_in, carried_as, and json or "
                                f"header (+ matches)}}, found {raw!r}")
    return IssuedToken(**{k: str(v) for k, v in raw.items()})


@dataclass
class _Operation:
    info: OperationInfo
    pointer: str  # JSON pointer of the operation object in the document
    regex: re.Pattern[str]
    spec: dict[str, Any]
    params: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (pointer, parameter)


class OpenApiContract(Contract):
    kind = "openapi"
    media_type = "application/yaml"

    def __init__(self, partner: str, document: Path, exchanges_dir: Path | None = None) -> None:
        super().__init__(partner, exchanges_dir)
        self.path = document
        try:
            self.raw = document.read_bytes()
            self.doc: dict[str, Any] = yaml.safe_load(self.raw)
        except (OSError, yaml.YAMLError) as exc:
            raise ContractLoadError(f"{document}: cannot read the OpenAPI document: {exc}") from exc
        if not isinstance(self.doc, dict) or "paths" not in self.doc:
            raise ContractLoadError(f"{document}: not an OpenAPI document (no 'paths')")
        self._uri = f"urn:partnersim:{partner}"
        self._registry: Registry[Any] = Registry().with_resource(self._uri, DRAFT202012.create_resource(self.doc))
        self._validators: dict[str, CompiledSchema] = {}
        self._ops = list(self._build())

    # -- document ---------------------------------------------------------------------------
    def document(self) -> tuple[bytes, str]:
        return self.raw, self.media_type

    def document_violations(self) -> list[Violation]:
        from openapi_spec_validator import validate
        from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

        try:
            validate(self.doc)
        except OpenAPIValidationError as exc:
            where = "/".join(str(p) for p in exc.path) if hasattr(exc, "path") else ""
            return [
                Violation(
                    location=f"document /{where}",
                    expected="a valid OpenAPI 3.1 document",
                    found=str(exc.message)[:200],
                    contract=str(self.path.name),
                )
            ]
        return []

    def _build(self) -> Iterator[_Operation]:
        for template, item in self.doc["paths"].items():
            host = str(item.get("x-partnersim-host", ""))
            pattern = "^" + _PARAM.sub(lambda m: f"(?P<{m.group(1)}>[^/]+)", re.escape(template).replace(r"\{", "{").replace(r"\}", "}"))
            # The partners accept a path with or without its trailing slash (assumed: Django's
            # APPEND_SLASH is not relied upon by IC's clients).
            pattern = pattern.rstrip("/") + "/?$"
            regex = re.compile(pattern)
            base = f"/paths/{_escape(template)}"
            shared = [(f"{base}/parameters/{i}", p) for i, p in enumerate(item.get("parameters", []))]
            for method in _METHODS:
                spec = item.get(method)
                if spec is None:
                    continue
                op_id = spec.get("operationId") or f"{method}_{template}"
                info = OperationInfo(
                    partner=self.partner,
                    name=op_id,
                    method=method.upper(),
                    host=host,
                    path=template,
                    summary=str(spec.get("summary", "")),
                    # ``x-partnersim-safe: true``: read-only although not a GET (TCCS's balance, a POST)
                    safe=bool(spec.get("x-partnersim-safe", method in ("get", "head", "options"))),
                    issues=_issued_token(spec.get("x-partnersim-issues"), f"{base}/{method}"),
                )
                own = [(f"{base}/{method}/parameters/{i}", p) for i, p in enumerate(spec.get("parameters", []))]
                params: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
                for pointer, raw in shared + own:
                    pointer, param = self._deref_at(pointer, raw)
                    params[(param["in"], param["name"])] = (pointer, param)
                yield _Operation(
                    info=info,
                    pointer=f"/paths/{_escape(template)}/{method}",
                    regex=regex,
                    spec=spec,
                    params=list(params.values()),
                )

    def _deref(self, node: dict[str, Any]) -> dict[str, Any]:
        return self._deref_at("", node)[1]

    def _deref_at(self, pointer: str, node: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """Follow local ``$ref``s; answer the pointer of the object finally reached and the object."""
        while "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/"):
                raise ContractLoadError(f"{self.path}: only local $ref are supported, found {ref}")
            target: Any = self.doc
            try:
                for part in ref[2:].split("/"):
                    target = target[part.replace("~1", "/").replace("~0", "~")]
            except (KeyError, IndexError, TypeError) as exc:
                raise ContractLoadError(f"{self.path}: $ref {ref} points at nothing") from exc
            pointer, node = ref[1:], target
        return pointer, node

    def _validator(self, pointer: str) -> CompiledSchema:
        found = self._validators.get(pointer)
        if found is None:
            # Local $refs are inlined once: resolving them on every request costs more than the
            # validation itself (bench/profile_rtdr.py). Recursive schemas keep their $ref.
            schema = self._inline(self._resolve(pointer), ())
            found = CompiledSchema(schema, Draft202012Validator(schema, registry=self._registry,
                                                                format_checker=FORMAT_CHECKER))
            self._validators[pointer] = found
        return found

    def _resolve(self, pointer: str) -> Any:
        target: Any = self.doc
        for part in pointer.lstrip("/").split("/") if pointer.strip("/") else []:
            target = target[int(part)] if isinstance(target, list) else target[part.replace("~1", "/").replace("~0", "~")]
        return target

    def _inline(self, node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [self._inline(item, seen) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            if ref in seen:
                return {**node, "$ref": f"{self._uri}{ref}"}
            target = self._inline(self._resolve(ref[1:]), seen + (ref,))
            siblings = {k: self._inline(v, seen) for k, v in node.items() if k != "$ref"}
            return {"allOf": [target], **siblings} if siblings else target
        return {k: self._inline(v, seen) for k, v in node.items()}

    # -- operations -------------------------------------------------------------------------
    def operations(self) -> list[OperationInfo]:
        return [op.info for op in self._ops]

    def _op(self, name: str) -> _Operation:
        for op in self._ops:
            if op.info.name == name:
                return op
        raise KeyError(name)

    def match(self, request: Request) -> OperationMatch | None:
        for op in self._ops:
            if op.info.method != request.method or (op.info.host and request.host and op.info.host != request.host):
                continue
            m = op.regex.match(request.path)
            if m:
                return OperationMatch(op.info, m.groupdict())
        return None

    def near_misses(self, request: Request, limit: int = 3) -> list[NearMiss]:
        scored: list[tuple[int, NearMiss]] = []
        for op in self._ops:
            diffs: list[Violation] = []
            if op.info.host and request.host and op.info.host != request.host:
                diffs.append(Violation("host", op.info.host, request.host))
            if not op.regex.match(request.path):
                diffs.append(Violation("path", op.info.path, request.path))
            if op.info.method != request.method:
                diffs.append(Violation("method", op.info.method, request.method))
            scored.append((len(diffs), NearMiss(op.info, diffs)))
        scored.sort(key=lambda pair: pair[0])
        return [miss for _, miss in scored[:limit]]

    # -- checks -----------------------------------------------------------------------------
    def check_request(self, request: Request, match: OperationMatch | None = None) -> list[Violation]:
        match = match or self.match(request)
        if match is None:
            return [self._no_operation(request)]
        op = self._op(match.operation.name)
        ref = f"{self.path.name}#{op.pointer}"
        out: list[Violation] = []
        out.extend(self._param_violations(op, request, match.path_params, ref))
        if "requestBody" in op.spec:
            pointer, body_spec = self._deref_at(f"{op.pointer}/requestBody", op.spec["requestBody"])
            out.extend(self._body_violations(op, body_spec, request.body, request.header("content-type"),
                                             pointer, "body", ref))
        return out

    def check_response(self, request: Request, response: Response, match: OperationMatch | None = None) -> list[Violation]:
        match = match or self.match(request)
        if match is None:
            return [self._no_operation(request)]
        op = self._op(match.operation.name)
        ref = f"{self.path.name}#{op.pointer}/responses"
        responses = op.spec.get("responses", {})
        key = str(response.status)
        if key not in responses:
            key = f"{key[0]}XX" if f"{key[0]}XX" in responses else "default"
        if key not in responses:
            declared = ", ".join(sorted(str(k) for k in responses))
            return [Violation("status", f"one of {declared}", str(response.status), ref)]
        pointer, spec = self._deref_at(f"{op.pointer}/responses/{_escape(key)}", responses[key])
        if "content" not in spec:
            return []
        return list(self._body_violations(op, spec, response.body, response.header("content-type"),
                                          pointer, "response body", ref))

    def _no_operation(self, request: Request) -> Violation:
        misses = self.near_misses(request, limit=1)
        hint = f"; nearest: {misses[0].operation.method} {misses[0].operation.path}" if misses else ""
        return Violation("path", f"an operation of the {self.partner} contract",
                         f"{request.method} {request.path}", self.path.name, f"no such operation{hint}")

    def _param_violations(self, op: _Operation, request: Request, path_params: dict[str, str], ref: str) -> Iterator[Violation]:
        for pointer, param in op.params:
            where, name = param["in"], param["name"]
            if where == "path":
                value: Any = path_params.get(name)
            elif where == "query":
                value = request.query_value(name)
            elif where == "header":
                value = request.header(name) or None
            else:
                continue
            if value is None:
                if param.get("required") or where == "path":
                    yield Violation(f"{where} {name}", "present (required)", "absent", ref)
                continue
            if "schema" in param:
                validator = self._validator(f"{pointer}/schema")
                yield from schema_violations(validator, _coerce(value, param["schema"]), part=f"{where} {name}", contract=ref)

    def _body_violations(self, op: _Operation, spec: dict[str, Any], body: bytes, content_type: str,
                         pointer: str, part: str, ref: str) -> Iterator[Violation]:
        content: dict[str, Any] = spec.get("content", {})
        if not body:
            if spec.get("required", part != "body") and content:
                yield Violation(part, f"a body ({', '.join(content)})", "an empty body", ref)
            return
        media = content_type.split(";", 1)[0].strip().lower()
        if media not in content:
            yield Violation(f"{'header' if part == 'body' else 'response header'} Content-Type",
                            " or ".join(content), content_type or "absent", ref)
            # Still check the body against the first JSON media type the contract allows.
            media = next((m for m in content if is_json_media(m)), "")
            if not media:
                return
        media_spec = content[media]
        if "schema" not in media_spec or not (is_json_media(media) or is_form_media(media)):
            return
        try:
            data = parse_body(body, media)
        except BodyError as exc:
            yield Violation(part, media, str(exc)[:120], ref)
            return
        validator = self._validator(f"{pointer}/content/{_escape(media)}/schema")
        yield from schema_violations(validator, data, part=part, contract=ref)


def _coerce(value: str, schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
    except ValueError:
        return value
    if kind == "boolean" and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value
