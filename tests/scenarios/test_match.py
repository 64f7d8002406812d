"""The matchers: one rule for results, errors, exchange fields and the ledger."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from scenarios.match import ABSENT, Difference, check_matcher, differences, pointer_get


def diffs(expected: Any, found: Any) -> list[Difference]:
    return list(differences(expected, found, "f"))


@pytest.mark.parametrize(("expected", "found"), [
    (100, "100.00"), (100.0, Decimal("100.00")), ("412.50", Decimal("412.50")), (404, 404), ("404", 404),
    (True, True), (None, None), ("CREDIT_CARD", "CREDIT_CARD"),
    ({"a": 1}, {"a": 1, "b": 2}),                       # a mapping names the keys it cares about
    ([{"a": 1}], [{"a": 1, "b": 2}]),
    ("absent", ABSENT), ("present", ""), ("present", None),
    ({"equals": {"a": 1}}, {"a": 1}), ({"equals": "absent"}, "absent"),
    ({"matches": r"^\d{4}$"}, "0417"), ({"contains": "C-code"}, "a C-code reject"), ({"contains": 2}, [1, 2]),
    ({"starts_with": "%PDF-"}, "%PDF-1.4 ..."), ({"one_of": ["EFT", "CHECK"]}, "CHECK"),
])
def test_matches(expected: Any, found: Any) -> None:
    assert diffs(expected, found) == []


@pytest.mark.parametrize(("expected", "found"), [
    (100, "100.01"), ("312.5", "312.50"),               # text is compared as text
    (1, True), (True, 1), (False, 0), (None, "None"),  # booleans only match booleans
    ({"a": 1}, {"b": 1}), ({"a": 1}, [1]), ([1, 2], [1]), ([1], [2]),
    ("absent", None), ("present", ABSENT), ("x", ABSENT),
    ({"equals": {"a": 1}}, {"a": 1, "b": 2}), ({"matches": "^x"}, "yx"), ({"contains": 3}, [1, 2]),
    ({"starts_with": "%PDF"}, "<html>"), ({"one_of": ["EFT"]}, "CHECK"),
])
def test_does_not_match(expected: Any, found: Any) -> None:
    assert diffs(expected, found) != []


def test_every_difference_is_reported_with_its_field() -> None:
    found = {"balance": {"total_due": "1150.00", "past_due": "0.00"}, "payments": {}}
    expected = {"balance": {"total_due": 1100, "past_due": 0}, "payments": {"p-1": {"status": "posted"}}}
    assert [str(d) for d in differences(expected, found, "ledger A")] == [
        'ledger A.balance.total_due: expected 1100, found "1150.00"',
        'ledger A.payments.p-1: expected {"status": "posted"}, found absent',
    ]


def test_json_pointers_follow_rfc_6901() -> None:
    doc = {"data": {"attributes": {"a/b": 1, "m~n": 2, "list": [10, 20]}}}
    assert pointer_get(doc, "/data/attributes/a~1b") == 1
    assert pointer_get(doc, "/data/attributes/m~0n") == 2
    assert pointer_get(doc, "/data/attributes/list/1") == 20
    assert pointer_get(doc, "/data/attributes/list/2") is ABSENT
    assert pointer_get(doc, "/data/missing/x") is ABSENT


def test_a_bad_matcher_is_found_before_the_run() -> None:
    assert check_matcher({"a": {"matches": "("}}) is not None
    assert check_matcher([{"one_of": "EFT"}]) is not None
    assert check_matcher({"a": {"matches": "^x$"}, "b": [1, {"one_of": [1]}]}) is None
