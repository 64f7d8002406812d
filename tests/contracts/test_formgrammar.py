"""The generic form-field grammar checker (``contracts.formgrammar``), on grammars written for the test."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from contracts import ContractLoadError
from contracts.formgrammar import CHECKS, GrammarSet, load_grammars, required_form_fields

GRAMMARS = """
version: 1
form_field: info
fields:
  id:
    description: an id such as AB-12
    pattern: '(?P<letters>[A-Z]+)-(?P<digits>\\d+)'
    tighten: "-"
  qty:
    description: a quantity above zero
    pattern: '\\d+'
    checks: [positive]
  day:
    description: a date MM/DD/YYYY
    pattern: '\\d{2}/\\d{2}/\\d{4}'
    checks: [calendar_date]
  note:
    description: a note without '#'
    pattern: '[^#]+'
    max_length: 5
operations:
  Order:
    variants:
      - name: gift
        when: {field: id, pattern: '^G'}
        syntax: "id | note | qty [# day]"
      - name: plain
        syntax: "id | qty : day [# note]"
  Flag:
    syntax: "id : code"
    fields:
      code: {const: OK}
"""


@pytest.fixture
def grammars(tmp_path: Path) -> GrammarSet:
    path = tmp_path / "grammars.yaml"
    path.write_text(GRAMMARS)
    return load_grammars(path)


def test_a_conforming_value_parses_into_normalised_fields_and_named_groups(grammars: GrammarSet) -> None:
    parsed = grammars.grammars["Order"].parse("  AB - 12 | 3 : 01/31/2024 # hi ")
    assert parsed.ok and parsed.variant == "plain"
    assert parsed.fields == {"id": "AB-12", "qty": "3", "day": "01/31/2024", "note": "hi"}
    assert parsed.groups["id"] == {"letters": "AB", "digits": "12"}


def test_the_optional_trailing_part_may_be_left_out(grammars: GrammarSet) -> None:
    parsed = grammars.grammars["Order"].parse("AB-12|3:01/31/2024")
    assert parsed.ok and "note" not in parsed.fields


def test_a_predicate_chooses_the_variant_and_the_last_is_the_default(grammars: GrammarSet) -> None:
    order = grammars.grammars["Order"]
    gift = order.parse("GB-1|to me|2#02/29/2024")
    assert gift.ok and gift.variant == "gift" and gift.fields["note"] == "to me"
    assert order.parse("AB-1|2:02/29/2024").variant == "plain"


EXPECTED = {"id": "an id such as AB-12", "qty": "a quantity above zero", "day": "a date MM/DD/YYYY",
            "note": "a note without '#'"}


@pytest.mark.parametrize("text,field,found", [
    ("AB12|3:01/31/2024", "id", "'AB12'"),
    ("AB-12|0:01/31/2024", "qty", "'0'"),
    ("AB-12|3:02/30/2024", "day", "'02/30/2024'"),
    ("AB-12|3:01/31/2024#toolong", "note", "'toolong'"),
    ("AB-12|3:01/31/2024#a#b", "note", "'a#b'"),
])
def test_each_malformed_field_is_named_with_what_was_expected_and_found(
        grammars: GrammarSet, text: str, field: str, found: str) -> None:
    (violation,) = grammars.grammars["Order"].parse(text).violations
    assert violation.location == f"info {field}"
    assert violation.found == found
    assert violation.expected == EXPECTED[field]
    assert "Order: id | qty : day [# note]" in violation.message
    assert violation.contract.endswith("#/operations/Order/variants/1")


def test_a_missing_separator_names_each_field_it_leaves_out(grammars: GrammarSet) -> None:
    found = grammars.grammars["Order"].parse("AB-12").violations
    assert [(v.location, v.expected, v.found) for v in found] == [
        ("info qty", "'|' then a quantity above zero", "absent"),
        ("info day", "':' then a date MM/DD/YYYY", "absent"),
    ]


def test_a_const_field_and_an_operation_s_own_fields(grammars: GrammarSet) -> None:
    flag = grammars.grammars["Flag"]
    assert flag.parse("AB-1:OK").ok
    (violation,) = flag.parse("AB-1:ok").violations
    assert (violation.location, violation.expected) == ("info code", "exactly 'OK'")
    assert "code" not in {p.rule.name for v in grammars.grammars["Order"].variants for p in v.parts}


def test_a_long_value_is_shortened_in_the_violation(grammars: GrammarSet) -> None:
    (violation,) = grammars.grammars["Flag"].parse("AB-1:" + "x" * 500).violations
    assert len(violation.found) < 100 and violation.found.endswith("...'")


def test_required_form_fields_names_each_absent_one() -> None:
    found = required_form_fields({"a": "", "c": "x"}, ["a", "b", "c", "d"], "doc#/x")
    assert [(v.location, v.found, v.contract) for v in found] == [("body b", "absent", "doc#/x"), ("body d", "absent", "doc#/x")]


def test_the_named_checks() -> None:
    assert CHECKS["calendar_date"]("02/29/2024") is None and CHECKS["calendar_date"]("02/29/2023")
    assert CHECKS["positive"]("0.01") is None and CHECKS["positive"]("0.00") and CHECKS["positive"]("x")


BROKEN = [
    ("version: 2", "version"),
    ("form_field: ''", "form_field"),
    ("operations: {X: {syntax: 'id | nope'}}", "field 'nope'"),
    ("operations: {X: {syntax: 'id qty'}}", "no separator"),
    ("operations: {X: {syntax: 'id | qty |'}}", "not a field list"),
    ("operations: {X: {syntax: 'id [| qty] : day'}}", "required field follows an optional"),
    ("operations: {X: {syntax: 'id [| qty'}}", "not a field list"),
    ("operations: {X: {syntax: '[id]'}}", "first field cannot be optional"),
    ("operations: {X: {variants: [{name: a, when: {field: id, pattern: x}, syntax: id}]}}", "last variant"),
    ("operations: {X: {variants: [{name: a, when: {field: qty, pattern: x}, syntax: id}, {syntax: id}]}}", "not in"),
    ("operations: {X: {syntax: id, fields: {id: {pattern: '('}}}}", "not a regular expression"),
    ("operations: {X: {syntax: id, fields: {id: {checks: [nope]}}}}", "unknown check"),
    ("operations: {X: {syntax: id, fields: {id: {checks: [{check: positive, group: nope}]}}}}", "no group"),
    ("operations: {X: {syntax: id, fields: {id: {max_length: 0}}}}", "max_length"),
    ("operations: {X: {syntax: id, fields: {z: {description: no pattern}}}}", "pattern or a const"),
    ("operations: {X: {syntax: id, bogus: 1}}", "unknown key"),
    ("operations: {X: {}}", "needs a syntax"),
]


@pytest.mark.parametrize("change,message", BROKEN, ids=[b[1] for b in BROKEN])
def test_a_broken_grammar_file_is_a_clear_load_error(tmp_path: Path, change: str, message: str) -> None:
    base = {"version": "version: 1", "form_field": "form_field: info",
            "fields": "fields: {id: {pattern: '[A-Z]+'}, qty: {pattern: '\\d+'}, day: {pattern: '\\d+'}}",
            "operations": "operations: {X: {syntax: id}}"}
    key = change.split(":", 1)[0]
    base[key] = change
    path = tmp_path / "g.yaml"
    path.write_text(textwrap.dedent("\n".join(base.values())))
    with pytest.raises(ContractLoadError, match=message) as exc:
        load_grammars(path)
    assert str(path) in str(exc.value)


def test_an_unreadable_grammar_file_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(ContractLoadError, match="cannot read"):
        load_grammars(tmp_path / "missing.yaml")
