"""JSON and form bodies: parse them and turn JSON Schema errors into ``Violation``s."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any
from urllib.parse import parse_qsl

import fastjsonschema
from jsonschema import FormatChecker
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator

from contracts.violation import Violation

__all__ = ["is_json_media", "is_form_media", "parse_body", "schema_violations", "BodyError", "CompiledSchema"]

FORMAT_CHECKER = FormatChecker()


class BodyError(ValueError):
    """The body cannot be parsed as its media type claims."""


def is_json_media(media_type: str) -> bool:
    base = media_type.split(";", 1)[0].strip().lower()
    return base == "application/json" or base.endswith("+json")


def is_form_media(media_type: str) -> bool:
    return media_type.split(";", 1)[0].strip().lower() == "application/x-www-form-urlencoded"


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # Python's json accepts NaN and Infinity; JSON does not


def parse_body(body: bytes, media_type: str) -> Any:
    """The body as data: JSON as parsed, a form as a mapping of field to value (last one wins)."""
    if is_json_media(media_type):
        try:
            return json.loads(body, parse_constant=_no_constant)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BodyError(f"not valid JSON: {exc}") from exc
        except RecursionError as exc:
            raise BodyError("JSON nested too deeply to read") from exc
    if is_form_media(media_type):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BodyError(f"form body is not UTF-8: {exc}") from exc
        return dict(parse_qsl(text, keep_blank_values=True))
    raise BodyError(f"no parser for media type {media_type!r}")


def _pointer(parts: Any) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts) if parts else "/"


def _expected(error: ValidationError) -> tuple[str, str]:
    kind, value, inst = error.validator, error.validator_value, error.instance
    if kind == "required":
        missing = [name for name in value if isinstance(inst, dict) and name not in inst] or list(value)
        return "required " + ", ".join(repr(m) for m in missing), "absent"
    if kind == "type":
        return f"type {value}", f"{type(inst).__name__} {json.dumps(inst)[:80]}"
    if kind == "enum":
        return f"one of {json.dumps(value)}", json.dumps(inst)[:80]
    if kind == "const":
        return f"exactly {json.dumps(value)}", json.dumps(inst)[:80]
    if kind == "additionalProperties" and isinstance(inst, dict):
        return "no other properties", error.message
    if kind == "format":
        return f"format {value}", json.dumps(inst)[:80]
    return f"{kind} {json.dumps(value)[:80]}", json.dumps(inst, default=str)[:80]


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


class CompiledSchema:
    """A schema checked fast on the happy path, explained in full when it fails.

    ``fastjsonschema`` compiles the schema to Python (about thirty times faster than interpreting
    it, see bench/); ``jsonschema`` then explains a failure with every error and its location. Only
    local ``$ref``s are inlined before compiling; a schema it cannot compile is interpreted only.
    """

    def __init__(self, schema: dict[str, Any], validator: Validator) -> None:
        self.validator = validator
        self._fast: Callable[[Any], Any] | None
        try:
            self._fast = fastjsonschema.compile(schema, formats={"date": _is_date}, use_default=False)
        except (fastjsonschema.JsonSchemaDefinitionException, RecursionError, TypeError, ValueError):
            self._fast = None

    def is_valid(self, instance: Any) -> bool:
        if self._fast is None:
            return bool(self.validator.is_valid(instance))
        try:
            self._fast(instance)
        except fastjsonschema.JsonSchemaValueException:
            return False
        return True


def schema_violations(
    schema: CompiledSchema | Validator, instance: Any, *, part: str, contract: str
) -> Iterator[Violation]:
    """Every schema error at its own location (``body /data/type``), each problem once."""
    if isinstance(schema, CompiledSchema):
        if schema.is_valid(instance):
            return
        validator = schema.validator
    else:
        validator = schema
    seen: set[tuple[str, str]] = set()
    for error in validator.iter_errors(instance):
        leaves = error.context or []
        if leaves and error.validator in ("oneOf", "anyOf"):
            # Report the alternative that came closest rather than "is not valid under any".
            best = max(leaves, key=lambda e: len(e.absolute_path))
            error = best
        expected, found = _expected(error)
        location = f"{part} {_pointer(error.absolute_path)}"
        if (location, expected) in seen:  # one "required" error per missing name says the same thing
            continue
        seen.add((location, expected))
        yield Violation(
            location=location,
            expected=expected,
            found=found,
            contract=f"{contract}/{'/'.join(str(p) for p in error.schema_path)}",
            message=error.message[:200],
        )
