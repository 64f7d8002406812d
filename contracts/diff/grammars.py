"""Breaking changes between two ``contentInfo`` grammar files (``contracts/tccs/grammars.yaml``).

``contentInfo`` travels in requests only, so every narrowing breaks clients and every widening is
compatible. A pattern replaced by another is compared as an enumeration when both are alternations of
literals (``CC|ACH``, a ``const``) and reported as "changed; check" otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator

from contracts.diff.constraints import Delta, pattern_delta, upper_bound_delta
from contracts.diff.model import Change, added, judge, removed
from contracts.formgrammar import FieldRule, Grammar, GrammarSet, Variant

__all__ = ["diff_grammars"]


def diff_grammars(old: GrammarSet, new: GrammarSet) -> Iterator[Change]:
    if old.form_field != new.form_field:
        yield removed("grammars", f"form field renamed from {old.form_field} to {new.form_field}", "form-field-renamed")
    for name, grammar in old.grammars.items():
        other = new.grammars.get(name)
        if other is None:
            yield removed(name, f"{old.form_field} grammar removed", "grammar-removed")
        else:
            yield from _grammar(grammar, other, new.form_field)
    for name in new.grammars:
        if name not in old.grammars:
            yield added("request", name, f"{new.form_field} grammar added", "grammar-added")


def _rules(grammar: Grammar) -> dict[str, FieldRule]:
    return {part.rule.name: part.rule for variant in grammar.variants for part in variant.parts}


def _grammar(old: Grammar, new: Grammar, form_field: str) -> Iterator[Change]:
    where = new.operation
    old_rules, new_rules = _rules(old), _rules(new)
    for name in old_rules.keys() & new_rules.keys():
        for direction, text in _rule_delta(old_rules[name], new_rules[name]):
            yield judge("request", direction, where, f"{form_field} field {name}: {text}", f"grammar-field-{direction}")
    single = len(old.variants) == 1 and len(new.variants) == 1
    old_variants = {v.name: v for v in old.variants}
    new_variants = {v.name: v for v in new.variants}
    if single:
        old_variants = {"default": old.variants[0]}
        new_variants = {"default": new.variants[0]}
    for name, variant in old_variants.items():
        other = new_variants.get(name)
        if other is None:
            yield removed(where, f"{form_field} variant {name} ({variant.syntax}) removed", "variant-removed")
        else:
            yield from _variant(variant, other, where, form_field, "" if single else f" (variant {name})")
    for name, variant in new_variants.items():
        if name not in old_variants:
            yield added("request", where, f"{form_field} variant {name} ({variant.syntax}) added", "variant-added")


def _rule_delta(old: FieldRule, new: FieldRule) -> list[Delta]:
    deltas = pattern_delta([old.pattern.pattern], [new.pattern.pattern])
    deltas += upper_bound_delta("max_length", old.max_length, new.max_length)
    old_checks, new_checks = {c for c, _ in old.checks}, {c for c, _ in new.checks}
    if new_checks - old_checks:
        deltas.append(("narrowed", f"check(s) {', '.join(sorted(new_checks - old_checks))} added"))
    if old_checks - new_checks:
        deltas.append(("widened", f"check(s) {', '.join(sorted(old_checks - new_checks))} removed"))
    lost = set(old.tighten) - set(new.tighten)
    if lost:
        deltas.append(("narrowed", f"whitespace around {''.join(sorted(lost))!r} no longer ignored"))
    if set(new.tighten) - set(old.tighten):
        deltas.append(("widened", f"whitespace around {''.join(sorted(set(new.tighten) - set(old.tighten)))!r} ignored"))
    return deltas


def _variant(old: Variant, new: Variant, where: str, form_field: str, suffix: str) -> Iterator[Change]:
    if (old.when is None) != (new.when is None) or (
            old.when and new.when and (old.when.field, old.when.pattern.pattern) != (new.when.field, new.when.pattern.pattern)):
        yield judge("request", "unknown", where, f"{form_field} variant selection (when) changed{suffix}", "variant-when")
    before = {p.rule.name: p for p in old.parts}
    after = {p.rule.name: p for p in new.parts}
    for name, part in before.items():
        other = after.get(name)
        field = f"{form_field} field {name}"
        if other is None:
            yield removed(where, f"{field} removed{suffix}", "grammar-field-removed")
            continue
        if part.optional and not other.optional:
            yield judge("request", "narrowed", where, f"{field} made required{suffix}", "grammar-field-required")
        elif other.optional and not part.optional:
            yield judge("request", "widened", where, f"{field} made optional{suffix}", "grammar-field-optional")
        if part.separator != other.separator:
            yield judge("request", "incompatible", where,
                        f"separator before {field} changed from {part.separator!r} to {other.separator!r}{suffix}",
                        "separator-changed")
    for name, part in after.items():
        if name not in before:
            yield added("request", where, f"{form_field} field {name} added{' (required)' if not part.optional else ''}"
                        f"{suffix}", "grammar-field-added", required=not part.optional)
    common_old = [n for n in before if n in after]
    common_new = [n for n in after if n in before]
    if common_old != common_new:
        yield judge("request", "incompatible", where, f"{form_field} fields reordered from {' '.join(common_old)} "
                    f"to {' '.join(common_new)}{suffix}", "fields-reordered")
