"""The report of a failed scenario: each failure with the expected and the received side by side.

::

    1. expect.exchanges[0]: expected at least one imt.post_payment exchange matching ...
       at scenarios/catalog/imt/payment_card.yaml:31
       request /data/attributes/payment_method: expected "CREDIT_CARD", found "EFT"

         expected (scenario)                   | received: journal #3 imt.post_payment -> 200, closest of 1
       --------------------------------------- | ------------------------------------------------------------
         operation: imt.post_payment           | version: 1
         request:                              | id: '3'
       >   /data/attributes/payment_method: EF | partner: imt
       ...

A ``>`` marks the expected lines whose field differs. Plain ASCII, so that it reads the same in a terminal, a CI log and a JUnit XML file.
"""

from __future__ import annotations

import re
from itertools import zip_longest

from scenarios.match import Difference
from scenarios.result import Failure, ScenarioResult, StepRecord

__all__ = ["render", "side_by_side"]

_LEFT_MAX = 56
_RIGHT = 76
_INDENT = "   "


def _wrap(text: str, width: int) -> list[str]:
    out: list[str] = []
    for line in text.splitlines() or [""]:
        if len(line) <= width:
            out.append(line)
            continue
        lead = " " * (len(line) - len(line.lstrip(" >")) + 2)  # a "> " mark counts as indentation
        out.append(line[:width])
        rest = line[width:]
        room = max(8, width - len(lead))
        while rest:
            out.append(lead + rest[:room])
            rest = rest[room:]
    return out


def _key(field: str) -> str:
    """The key a difference's field ends in, as the scenario writes it: a JSON pointer or a name."""
    last = field.rsplit(" ", 1)[-1]
    return last if last.startswith("/") else re.sub(r"\[\d+\]$", "", last.rsplit(".", 1)[-1])


def _marked(text: str, differences: tuple[Difference, ...]) -> str:
    """``text`` with ``> `` before the first line that writes each differing key (``  `` elsewhere)."""
    lines = text.splitlines()
    marks = [False] * len(lines)
    for difference in differences:
        pattern = re.compile(r"(^|[\s{,])" + re.escape(_key(difference.field)) + r"\s*:")
        hit = next((i for i, line in enumerate(lines) if pattern.search(line)), None)
        if hit is not None:
            marks[hit] = True
    return "\n".join(("> " if mark else "  ") + line for mark, line in zip(marks, lines, strict=True))


def side_by_side(left_title: str, left: str, right_title: str, right: str, right_width: int = _RIGHT) -> str:
    """Two texts in two columns, each under its title; long lines wrap inside their column."""
    natural = max([len(left_title), *(len(line) for line in left.splitlines())] or [20])
    width = max(20, min(_LEFT_MAX, natural))
    lines = _wrap(left, width)
    rights = _wrap(right, right_width)
    rows = [f"{left_title[:width]:<{width}} | {right_title}", f"{'-' * width} | {'-' * min(right_width, 60)}"]
    rows += [f"{a:<{width}} | {b}".rstrip() for a, b in zip_longest(lines, rights, fillvalue="")]
    return "\n".join(rows)


def _indent(text: str, prefix: str = _INDENT) -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def _failure(number: int, failure: Failure) -> str:
    parts = [f"{number}. {failure.title}", f"{_INDENT}at {failure.place}"]
    parts += [f"{_INDENT}{d}" for d in failure.differences]
    if failure.expected or failure.received:
        blocks = list(failure.received) or [("received", "(nothing)")]
        caption, text = blocks[0]
        expected = _marked(failure.expected, failure.differences)
        parts += ["", _indent(side_by_side("  expected (scenario)", expected, f"received: {caption}", text))]
        for caption, text in blocks[1:]:
            parts += ["", _indent(f"also received: {caption}"), _indent(text, _INDENT * 2)]
    if failure.note:
        parts += ["", _indent(failure.note)]  # not wrapped: a traceback's file paths stay whole
    return "\n".join(parts)


def _step_line(record: StepRecord) -> str:
    step = record.step
    if record.raised:
        what = f"raised {type(record.outcome).__name__}"
    elif step.kind == "call":
        what = f"returned {type(record.outcome).__name__}"
    elif step.kind == "run":
        what = str(record.outcome)  # ran <command>: exit N
    else:
        what = ", ".join(f"{k} {v}" for k, v in step.clock.items()) or "done"
    received = ", ".join(f"{e.qualified_operation} {e.response.status if e.response else '-'}"
                         for e in record.exchanges) or "nothing"
    return f"{_INDENT}{step.label}: {what}; the partner received: {received}"


def render(result: ScenarioResult) -> str:
    scenario = result.scenario
    head = f"scenario {scenario.name} ({scenario.place()})"
    if scenario.title or scenario.source:
        head += "\n" + _INDENT + " -- ".join(p for p in (scenario.title, scenario.source) if p)
    if result.skipped:
        return f"{head}: skipped: {result.skipped}"
    if result.passed:
        return head + ": passed"
    count = len(result.failures)
    parts = [f"{head}\n{_INDENT}{count} expectation{'s' if count != 1 else ''} failed"]
    parts += [_failure(n, f) for n, f in enumerate(result.failures, start=1)]
    run = [_step_line(r) for r in result.steps]
    skipped = len(scenario.steps) - len(result.steps)
    if skipped:
        run.append(f"{_INDENT}({skipped} later step{'s' if skipped != 1 else ''} not run)")
    parts.append("steps run:\n" + "\n".join(run))
    return "\n\n".join(parts)
