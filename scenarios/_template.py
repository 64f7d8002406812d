"""Placeholders and captures: a value one step takes from what it got back, for ``{name}`` in later steps.

Shared by run steps (``scenarios.external``: arguments, stdin, environment; captures from stdout) and send
steps (``scenarios.steps``: a written request's path, query, headers, form values, JSON string values and
body; captures from the partner's answer: its JSON body, a header, or a regex on the body).

* ``{name}`` is replaced by the value of ``name``; ``{{name}}`` is the literal text ``{name}``; other
  braces (JSON) are left alone.
* Every step knows ``sandbox``, ``partner`` and ``setting_<id>`` (``base_names``) and what earlier steps
  captured; a run step also its own ``with:`` values. The loader checks (``placeholder_problems``) that
  every placeholder names one of them, so a typo is an error of the file, not a request sent with braces.
* ``capture: {name: {json: /pointer}}`` takes the value at a JSON pointer (text as it is, other values as
  JSON text), ``{matches: regex}`` the regex's first group (or the whole match) in stdout or the answer's
  body; ``header: Set-Cookie`` reads one header of the answer instead of the body (send steps only; with
  neither json nor matches, the whole header). A value that cannot be captured fails the step, and the
  steps after it are not run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from scenarios._yaml import Path as DataPath
from scenarios.billers import biller_settings
from scenarios.errors import ScenarioError
from scenarios.match import ABSENT, pointer_get

if TYPE_CHECKING:
    from scenarios.model import Scenario, Step

__all__ = ["as_text", "base_names", "base_values", "capture", "fill", "fill_data", "placeholder_problems",
           "placeholders", "templated_parts"]

_PLACEHOLDER = re.compile(r"\{\{([A-Za-z_]\w*)\}\}|\{([A-Za-z_]\w*)\}")
Problem = tuple[DataPath, str]
#: The step kinds that capture: what each takes its values from.
CAPTURES_FROM = {"run": "stdout", "send": "the answer's body"}


def placeholders(text: str) -> list[str]:
    """The names ``{name}`` in ``text`` refers to (``{{name}}`` is literal text, not a placeholder)."""
    return [m.group(2) for m in _PLACEHOLDER.finditer(text) if m.group(2)]


def fill(text: str, values: Mapping[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        if match.group(1):
            return "{" + match.group(1) + "}"
        name = match.group(2)
        if name not in values:
            raise ScenarioError(f"unknown placeholder {{{name}}} in {text!r}")  # the loader checks this first
        return values[name]

    return _PLACEHOLDER.sub(one, text)


def fill_data(value: Any, values: Mapping[str, str]) -> Any:
    """A JSON document with placeholders filled in its string values (keys, numbers and the rest as written)."""
    if isinstance(value, str):
        return fill(value, values)
    if isinstance(value, Mapping):
        return {k: fill_data(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [fill_data(v, values) for v in value]
    return value


def as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, default=str)


def base_names(scenario: Scenario) -> set[str]:
    """What every step's placeholders may name: the sandbox, the partner's mount, the biller's settings."""
    settings = biller_settings(scenario.partner, scenario.given.biller, "")["settings"]
    return {"sandbox", "partner"} | {f"setting_{key}" for key in settings}


def base_values(scenario: Scenario | None, base_url: str, partner: str) -> dict[str, str]:
    base_url = base_url.rstrip("/")
    values = {"sandbox": base_url, "partner": f"{base_url}/{partner}"}
    if scenario is not None:
        settings = biller_settings(scenario.partner, scenario.given.biller, base_url)["settings"]
        values.update({f"setting_{k}": "" if v is None else as_text(v) for k, v in settings.items()})
    return values


# -- what a step templates ------------------------------------------------------------------------
def templated_parts(step: Step) -> Iterator[tuple[DataPath, str]]:
    """Each text of the step where placeholders are filled, with its place in the file."""
    at: DataPath = ("steps", step.index)
    if step.kind == "run":
        for part in ("command", "args"):
            for index, text in enumerate(step.run.get(part) or []):
                yield (*at, "run", part, index), str(text)
        if "stdin" in step.run:
            yield (*at, "run", "stdin"), str(step.run["stdin"])
        for key, text in dict(step.run.get("env") or {}).items():
            yield (*at, "run", "env", key), str(text)
    elif step.kind == "send" and isinstance(step.send.get("request"), Mapping):
        request = step.send["request"]
        base: DataPath = (*at, "send", "request")
        for key in ("host", "path", "body"):
            if key in request:
                yield (*base, key), str(request[key])
        for key in ("query", "headers", "form"):
            for name, text in dict(request.get(key) or {}).items():
                yield (*base, key, name), str(text)
        if "json" in request:
            yield from _json_strings((*base, "json"), request["json"])


def _json_strings(at: DataPath, value: Any) -> Iterator[tuple[DataPath, str]]:
    if isinstance(value, str):
        yield at, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _json_strings((*at, key), item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_strings((*at, index), item)


# -- checks on load -------------------------------------------------------------------------------
def placeholder_problems(scenario: Scenario) -> Iterator[Problem]:
    """Placeholders that name no value the step has, and captures a step cannot make (checked on load)."""
    base = base_names(scenario)
    captured: set[str] = set()
    for step in scenario.steps:
        at: DataPath = ("steps", step.index)
        if step.kind not in CAPTURES_FROM:
            if step.capture:
                yield (*at, "capture"), (f"capture takes a value from a run step's output or a send step's answer; "
                                         f"a {step.kind} step has none")
            continue
        withs = {str(k) for k in step.args} if step.kind == "run" else set()
        for key, value in step.args.items():
            yield from unknown((*at, "with", key), as_text(value), base | captured, "with")
        for where, text in templated_parts(step):
            yield from unknown(where, text, base | captured | withs, "step")
        for name, how in step.capture.items():
            yield from _capture_problems((*at, "capture", str(name)), step.kind, dict(how))
            if name in base or name in withs:
                yield (*at, "capture", name), (f"{name!r} is already a placeholder here; capture the value "
                                               "under another name")
            captured.add(str(name))


def _capture_problems(at: DataPath, kind: str, how: Mapping[str, Any]) -> Iterator[Problem]:
    if "header" in how and kind != "send":
        yield (*at, "header"), f"a {kind} step's output has no headers; capture with json or matches from stdout"
    pattern = how.get("matches")
    if pattern is not None:
        try:
            re.compile(str(pattern))
        except re.error as exc:
            yield (*at, "matches"), f"{pattern!r} is not a regular expression ({exc})"


def unknown(at: DataPath, text: str, names: set[str], scope: str) -> Iterator[Problem]:
    for name in placeholders(text):
        if name not in names:
            settings = sorted((n for n in names if n.startswith("setting_")),
                              key=lambda n: int(n[8:]) if n[8:].isdigit() else 0)
            others = sorted(n for n in names if not n.startswith("setting_"))
            where = "the client (it runs for every step)" if scope == "client" else "this step"
            later = " (values of with: and capture are known in a run step's own parts only)" if scope == "client" else ""
            yield at, (f"unknown placeholder {{{name}}}; {where} knows: {', '.join([*others, *settings])}{later}. "
                       f"Write {{{{{name}}}}} for the literal text {{{name}}}.")


# -- capturing ------------------------------------------------------------------------------------
def capture(spec: Mapping[str, Any], body: str, *, source: str = "stdout",
            headers: Mapping[str, str] | None = None) -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    """The values ``spec`` captures from ``body`` (called ``source`` in messages) or ``headers``, and the
    ones it could not, with why."""
    values: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    for name, how in spec.items():
        how = dict(how)
        text, where = body, source
        if "header" in how:
            wanted = str(how["header"]).lower()
            found = next((v for k, v in (headers or {}).items() if k.lower() == wanted), None)
            if found is None:
                problems.append((name, f"the answer has no {how['header']} header"))
                continue
            text, where = found, f"the {how['header']} header"
            if "matches" not in how:
                values[name] = found
                continue
        if "json" in how:
            try:
                doc = json.loads(text)
            except (ValueError, RecursionError):
                problems.append((name, f"{where} is not JSON, so nothing is at {how['json']}"))
                continue
            value = pointer_get(doc, str(how["json"]))
            if value is ABSENT:
                problems.append((name, f"{where}'s JSON has nothing at {how['json']}"))
                continue
            values[name] = as_text(value)
        else:
            match = re.search(str(how["matches"]), text, re.MULTILINE)
            if match is None:
                problems.append((name, f"{where} has no match for {how['matches']!r}"))
                continue
            values[name] = match.group(1) if match.re.groups else match.group(0)
    return values, tuple(problems)
