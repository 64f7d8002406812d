"""Form fields whose value follows a grammar (TCCS's ``contentInfo``), checked from data.

A grammar is written as the design writes it, one line per variant::

    invoice | amount : payment_type [@ payment_guid]

Names are fields, single punctuation characters are separators, and ``[sep field]`` parts are
optional and trailing. A variant may be chosen by a predicate on one of its fields (TCCS: "invoice
numbers that begin with 'Q'" use the quote form); the first variant whose predicate holds is used, and
a variant without one is the default. Each field has a regular expression (its named groups are kept
in the parse), a description that a violation quotes as *expected*, an optional maximum length,
characters around which whitespace is ignored (``tighten``: the invoice's ``-``), and named checks
that a pattern cannot express (a real calendar date, an amount above zero).

Whitespace around every separator is ignored. The text is split left to right: a field runs up to
the first occurrence of the next part's separator, so a field never holds the separator that follows
it. ``Grammar.parse`` answers the fields (normalised) and every ``Violation``, located
``<form field> <field>`` (``contentInfo amount``), so that the checker and the simulator that uses the
parse read one grammar. Grammars are loaded from YAML (``load_grammars``); the format is described in
``contracts/tccs/grammars.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from contracts.errors import ContractLoadError
from contracts.violation import Violation

__all__ = [
    "FieldRule",
    "Variant",
    "Grammar",
    "Parsed",
    "GrammarSet",
    "CHECKS",
    "load_grammars",
    "required_form_fields",
]

VERSION = 1
_FOUND_MAX = 80


# -- named checks ---------------------------------------------------------------------------------
_MMDDYYYY = re.compile(r"(\d{2})/(\d{2})/(\d{4})")


def _calendar_date(value: str) -> str | None:
    parts = _MMDDYYYY.fullmatch(value)
    try:
        if parts is None:
            raise ValueError(value)
        date(int(parts[3]), int(parts[1]), int(parts[2]))  # strptime costs ten times as much
    except ValueError:
        return f"{value} is not a calendar date (MM/DD/YYYY)"
    return None


def _positive(value: str) -> str | None:
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return f"{value} is not a number"
    return None if amount > 0 else "the amount must be greater than zero"


#: Checks a pattern cannot express, by the name a grammar file uses. Each answers why the value
#: fails, or None.
CHECKS: dict[str, Callable[[str], str | None]] = {
    "calendar_date": _calendar_date,
    "positive": _positive,
}


def _found(value: str) -> str:
    shown = value if len(value) <= _FOUND_MAX else value[:_FOUND_MAX] + "..."
    return repr(shown)


# -- fields -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FieldRule:
    """One field of a grammar: what it must look like and how it is normalised."""

    name: str
    description: str
    pattern: re.Pattern[str]
    max_length: int | None = None
    tighten: str = ""  # characters around which whitespace is ignored (and removed)
    checks: tuple[tuple[str, str], ...] = ()  # (check name, named group or "" for the whole value)
    _tight: re.Pattern[str] | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        if self.tighten:
            object.__setattr__(self, "_tight", re.compile(rf"\s*([{re.escape(self.tighten)}])\s*"))

    def normalise(self, raw: str) -> str:
        value = raw.strip()
        return self._tight.sub(r"\1", value) if self._tight is not None else value

    def problem(self, value: str) -> tuple[str, dict[str, str]]:
        """Why ``value`` (normalised) breaks the rule ("" when it conforms), and its named groups."""
        if self.max_length is not None and len(value) > self.max_length:
            return f"{len(value)} characters, at most {self.max_length} allowed", {}
        match = self.pattern.fullmatch(value)
        if match is None:
            return "does not match the field's syntax", {}
        groups = {k: v for k, v in match.groupdict().items() if v is not None}
        for check, group in self.checks:
            why = CHECKS[check](groups.get(group, "") if group else value)
            if why:
                return why, groups
        return "", groups


@dataclass(frozen=True)
class _Part:
    rule: FieldRule
    separator: str  # the separator before this field ("" for the first)
    optional: bool


@dataclass(frozen=True)
class _Predicate:
    field: str
    pattern: re.Pattern[str]

    def holds(self, raw: Mapping[str, str]) -> bool:
        value = raw.get(self.field)
        return value is not None and self.pattern.search(value.strip()) is not None


@dataclass(frozen=True)
class Variant:
    """One form of a grammar (TCCS Pay_Input: ``payment`` or ``quote``)."""

    name: str
    syntax: str
    parts: tuple[_Part, ...]
    when: _Predicate | None = None
    contract: str = ""

    def split(self, text: str) -> dict[str, str]:
        """The raw text of each field present, splitting left to right at each next separator."""
        raw: dict[str, str] = {}
        rest = text
        for i, part in enumerate(self.parts):
            following = self.parts[i + 1].separator if i + 1 < len(self.parts) else ""
            at = rest.find(following) if following else -1
            if at < 0:
                raw[part.rule.name] = rest
                return raw
            raw[part.rule.name], rest = rest[:at], rest[at + len(following):]
        return raw  # pragma: no cover - the loop returns at its last part


@dataclass(frozen=True)
class Parsed:
    """The parse of one value: the variant used, the fields (normalised), their named groups, and
    every violation (none when the value conforms)."""

    operation: str
    variant: str
    fields: dict[str, str]
    groups: dict[str, dict[str, str]]
    violations: tuple[Violation, ...]

    @property
    def ok(self) -> bool:
        return not self.violations


@dataclass(frozen=True)
class Grammar:
    """The grammar of one form field (``contentInfo``) of one operation."""

    operation: str
    form_field: str
    variants: tuple[Variant, ...]
    source: str = ""

    def variant_for(self, text: str) -> Variant:
        for variant in self.variants:
            if variant.when is None or variant.when.holds(variant.split(text)):
                return variant
        return self.variants[-1]

    def parse(self, text: str) -> Parsed:
        variant = self.variant_for(text)
        raw = variant.split(text)
        fields: dict[str, str] = {}
        groups: dict[str, dict[str, str]] = {}
        found: list[Violation] = []
        for part in variant.parts:
            rule = part.rule
            where = f"{self.form_field} {rule.name}"
            if rule.name not in raw:
                if not part.optional:
                    found.append(Violation(where, f"'{part.separator}' then {rule.description}", "absent",
                                           variant.contract, f"{self.operation}: {variant.syntax}"))
                continue
            value = rule.normalise(raw[rule.name])
            why, named = rule.problem(value)
            if why:
                found.append(Violation(where, rule.description, _found(raw[rule.name].strip()), variant.contract,
                                       f"{why}; {self.operation}: {variant.syntax}"))
                continue
            fields[rule.name] = value
            groups[rule.name] = named
        return Parsed(self.operation, variant.name, fields, groups, tuple(found))

    def violations(self, text: str) -> list[Violation]:
        return list(self.parse(text).violations)


@dataclass(frozen=True)
class GrammarSet:
    """The grammars of a partner's operations, for one form field, as loaded from a file."""

    form_field: str
    grammars: dict[str, Grammar] = field(default_factory=dict)
    path: Path | None = None

    def get(self, operation: str) -> Grammar | None:
        return self.grammars.get(operation)

    def __iter__(self) -> Iterator[Grammar]:
        return iter(self.grammars.values())


def required_form_fields(form: Mapping[str, str], names: Iterable[str], contract: str = "") -> list[Violation]:
    """A violation ``body <name>`` for each required form field that is absent."""
    return [Violation(f"body {name}", "present (a required form field)", "absent", contract)
            for name in names if name not in form]


# -- loading ----------------------------------------------------------------------------------------
_TOKEN = re.compile(r"\[|\]|[A-Za-z_]\w*|[^\s\w\[\]]")
_TOP_KEYS = {"version", "partner", "form_field", "source", "assumed", "note", "fields", "operations"}
_FIELD_KEYS = {"description", "pattern", "const", "max_length", "tighten", "checks", "source", "assumed", "note"}
_OP_KEYS = {"source", "assumed", "note", "syntax", "variants", "fields"}
_VARIANT_KEYS = {"name", "when", "syntax", "source", "assumed", "note"}


class _Loader:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, message: str) -> ContractLoadError:
        return ContractLoadError(f"{self.path}: {where}: {message}")

    def mapping(self, data: Any, allowed: set[str], where: str) -> Mapping[str, Any]:
        if not isinstance(data, Mapping):
            raise self.fail(where, f"expected a mapping, found {type(data).__name__}")
        unknown = sorted(set(map(str, data)) - allowed)
        if unknown:
            raise self.fail(where, f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")
        return data

    def regex(self, text: Any, where: str) -> re.Pattern[str]:
        try:
            return re.compile(str(text))
        except re.error as exc:
            raise self.fail(where, f"{text!r} is not a regular expression: {exc}") from exc

    def rule(self, name: str, data: Mapping[str, Any], where: str) -> FieldRule:
        self.mapping(data, _FIELD_KEYS, where)
        if "const" in data:
            const = str(data["const"])
            pattern = re.compile(re.escape(const))
            description = str(data.get("description") or f"exactly {const!r}")
        elif "pattern" in data:
            pattern = self.regex(data["pattern"], f"{where} pattern")
            description = str(data.get("description") or f"text matching {pattern.pattern}")
        else:
            raise self.fail(where, "a field needs a pattern or a const")
        checks: list[tuple[str, str]] = []
        for item in data.get("checks") or []:
            if isinstance(item, str):
                check, group = item, ""
            else:
                check, group = str(item.get("check", "")), str(item.get("group", ""))
            if check not in CHECKS:
                raise self.fail(f"{where} checks", f"unknown check {check!r}; known: {', '.join(CHECKS)}")
            if group and group not in pattern.groupindex:
                raise self.fail(f"{where} checks", f"the pattern has no group {group!r}")
            checks.append((check, group))
        max_length = data.get("max_length")
        if max_length is not None and (not isinstance(max_length, int) or max_length < 1):
            raise self.fail(f"{where} max_length", f"expected a positive whole number, found {max_length!r}")
        return FieldRule(name, description, pattern, max_length, str(data.get("tighten", "")), tuple(checks))

    def variant(self, name: str, syntax: str, when: Any, rules: Mapping[str, FieldRule], where: str) -> Variant:
        parts: list[_Part] = []
        inside, separator = False, ""
        for token in _TOKEN.findall(syntax):
            if token in "[]":
                if (token == "[") == inside:
                    raise self.fail(where, f"unbalanced {token!r} in {syntax!r}")
                inside = token == "["
            elif re.fullmatch(r"[A-Za-z_]\w*", token):
                if token not in rules:
                    raise self.fail(where, f"field {token!r} of {syntax!r} is not defined; defined: {', '.join(rules)}")
                if parts and not separator:
                    raise self.fail(where, f"no separator before {token!r} in {syntax!r}")
                if parts and parts[-1].optional and not inside:
                    raise self.fail(where, f"a required field follows an optional part in {syntax!r}")
                if inside and not parts:
                    raise self.fail(where, f"the first field cannot be optional in {syntax!r}")
                parts.append(_Part(rules[token], separator, inside))
                separator = ""
            else:
                if not parts or separator:
                    raise self.fail(where, f"separator {token!r} must stand between two fields in {syntax!r}")
                separator = token
        if not parts or separator or inside:
            raise self.fail(where, f"{syntax!r} is not a field list such as 'a | b : c [@ d]'")
        predicate = None
        if when is not None:
            spec = self.mapping(when, {"field", "pattern"}, f"{where} when")
            if str(spec.get("field")) not in {p.rule.name for p in parts}:
                raise self.fail(f"{where} when", f"field {spec.get('field')!r} is not in {syntax!r}")
            predicate = _Predicate(str(spec["field"]), self.regex(spec.get("pattern", ""), f"{where} when pattern"))
        return Variant(name, syntax, tuple(parts), predicate, f"{self.path.name}#/{where.replace(' ', '/')}")

    def operation(self, name: str, data: Any, shared: Mapping[str, Any], form_field: str) -> Grammar:
        where = f"operations {name}"
        spec = self.mapping(data, _OP_KEYS, where)
        own = spec.get("fields") or {}
        if not isinstance(own, Mapping) or not all(isinstance(v, Mapping) for v in own.values()):
            raise self.fail(f"{where} fields", "expected a mapping of field name to its rule")
        merged = {**shared, **{k: {**shared.get(k, {}), **v} for k, v in dict(own).items()}}
        rules = {k: self.rule(k, v, f"{where} fields {k}") for k, v in merged.items()}
        if "variants" in spec:
            raw_variants = spec["variants"]
            if not isinstance(raw_variants, list) or not raw_variants:
                raise self.fail(f"{where} variants", "expected a non-empty list")
        elif "syntax" in spec:
            raw_variants = [{"name": "default", "syntax": spec["syntax"]}]
        else:
            raise self.fail(where, "needs a syntax or variants")
        variants = []
        for n, raw in enumerate(raw_variants):
            v = self.mapping(raw, _VARIANT_KEYS, f"{where} variants {n}")
            if "syntax" not in v:
                raise self.fail(f"{where} variants {n}", "needs a syntax")
            at = f"operations/{name}/variants/{n}" if "variants" in spec else f"operations/{name}"
            variants.append(self.variant(str(v.get("name", n)), str(v["syntax"]), v.get("when"), rules, at))
        if variants[-1].when is not None:
            raise self.fail(where, "the last variant is the default: it must have no 'when'")
        return Grammar(name, form_field, tuple(variants), str(spec.get("source", "")))


def load_grammars(path: Path) -> GrammarSet:
    """The grammars of a file (see ``contracts/tccs/grammars.yaml`` for the format)."""
    loader = _Loader(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ContractLoadError(f"{path}: cannot read the grammars: {exc}") from exc
    top = loader.mapping(data, _TOP_KEYS, "top level")
    if top.get("version") != VERSION:
        raise loader.fail("version", f"expected {VERSION}, found {top.get('version')!r}")
    form_field = str(top.get("form_field") or "")
    if not form_field:
        raise loader.fail("form_field", "name the form field the grammars describe (contentInfo)")
    shared = top.get("fields") or {}
    if not isinstance(shared, Mapping) or not all(isinstance(v, Mapping) for v in shared.values()):
        raise loader.fail("fields", "expected a mapping of field name to its rule")
    operations = top.get("operations")
    if not isinstance(operations, Mapping) or not operations:
        raise loader.fail("operations", "expected a mapping of operation name to its grammar")
    grammars = {str(name): loader.operation(str(name), spec, shared, form_field) for name, spec in operations.items()}
    return GrammarSet(form_field, grammars, path)
