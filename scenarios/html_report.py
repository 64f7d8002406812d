"""The HTML report of a scenario run (``partnersim run --html FILE``): one self-contained page.

A matrix of partners (rows) by their contract's operations (cells): green when every scenario that
touched the operation passed, red when one failed, grey when no scenario exercised it. Each cell links
to a panel listing those scenarios with their exchanges (the recorded-exchange YAML) and, for a failed
one, its report (the side-by-side text of ``scenarios.report``). The panels open through CSS ``:target``,
so the page works with scripts blocked (as some CI artifact viewers serve it); a few lines of script only
keep one panel open at a time. No network: no fonts, scripts or images are fetched.

Results are gathered as coverage's are (``scenarios.coverage``): the plugin hands each scenario's result
and journal to a ``ResultsCollector`` before the next scenario resets the sandbox, pytest-xdist workers
send theirs to the controller, and one JSON file is written at the end (``--partnersim-html-data FILE``).
Everything written into the page goes through ``html.escape``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from html import escape
from pathlib import Path
from typing import Any

from contracts import Exchange, HarnessError, dump_exchanges, load_contract, partner_names

__all__ = ["ResultsCollector", "render_html", "write_html"]

UNMATCHED = "(no operation)"  # an exchange the contract does not know
_FAILING = ("failed", "error")


class ResultsCollector:
    """Per scenario: outcome, report, and each exchange (its operation and its YAML)."""

    def __init__(self) -> None:
        self.data: list[dict[str, Any]] = []

    def add(self, *, name: str, title: str, place: str, partner: str, outcome: str, report: str,
            exchanges: Iterable[Exchange]) -> None:
        self.data.append({
            "name": name, "title": title, "place": place, "partner": partner, "outcome": outcome,
            "report": report, "exchanges": [_exchange(e) for e in exchanges],
        })

    def merge(self, other: Iterable[Mapping[str, Any]]) -> None:
        self.data.extend(dict(item) for item in other)

    def dumps(self) -> str:
        return json.dumps(self.data)

    def write(self, path: Path) -> None:
        """The HTML report of the scenarios collected."""
        write_html(path, self.data)


def _exchange(exchange: Exchange) -> dict[str, Any]:
    operation = exchange.operation
    if not operation and exchange.partner in partner_names():
        match = load_contract(exchange.partner).match(exchange.request)
        operation = match.operation.name if match is not None else ""
    status = exchange.response.status if exchange.response is not None else None
    return {"partner": exchange.partner, "operation": operation or UNMATCHED, "status": status,
            "yaml": dump_exchanges([exchange])}


def _cells(results: list[dict[str, Any]], partners: Iterable[str]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """partner -> operation -> the scenarios whose exchanges touched it (every contract operation listed)."""
    cells: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for partner in partners:
        cells[partner] = {op.name: [] for op in load_contract(partner).operations()} \
            if partner in partner_names() else {}
    for result in results:
        for exchange in result["exchanges"]:
            row = cells.setdefault(exchange["partner"], {})
            touched = row.setdefault(exchange["operation"], [])
            if result not in touched:
                touched.append(result)
    return cells


def _state(scenarios: list[dict[str, Any]]) -> str:
    if any(s["outcome"] in _FAILING for s in scenarios):
        return "fail"
    if any(s["outcome"] in ("passed", "xfailed") for s in scenarios):
        return "pass"
    return "never"


def _anchor(partner: str, operation: str) -> str:
    return "cell-" + re.sub(r"[^A-Za-z0-9_-]", "_", f"{partner}-{operation}")


def _counts(scenarios: list[dict[str, Any]]) -> str:
    failed = sum(s["outcome"] in _FAILING for s in scenarios)
    passed = sum(s["outcome"] in ("passed", "xfailed") for s in scenarios)
    other = len(scenarios) - failed - passed
    parts = [f"{passed} passed"] + ([f"{failed} failed"] if failed else []) + ([f"{other} skipped"] if other else [])
    return ", ".join(parts) if scenarios else "never exercised"


def _scenario(result: dict[str, Any], partner: str | None, operation: str | None) -> str:
    mark = {"passed": "passed", "xfailed": "xfailed (expected)", "failed": "FAILED", "error": "ERROR"}
    outcome = result["outcome"]
    title = f" &mdash; {escape(result['title'])}" if result["title"] else ""
    head = (f'<summary><span class="badge {escape(outcome)}">{escape(mark.get(outcome, outcome))}</span> '
            f'<b>{escape(result["name"])}</b>{title} <small>{escape(result["place"])}</small></summary>')
    body = []
    if outcome in _FAILING and result["report"]:
        body.append(f'<h4>report</h4><pre class="report">{escape(result["report"])}</pre>')
    shown = [e for e in result["exchanges"]
             if partner is None or (e["partner"] == partner and e["operation"] == operation)]
    for e in shown:
        body.append(f'<h4>exchange {escape(e["partner"])}.{escape(e["operation"])} &rarr; {escape(str(e["status"]))}'
                    f'</h4><pre class="exchange">{escape(e["yaml"])}</pre>')
    if not shown:
        body.append("<p>no exchange</p>")
    opened = " open" if outcome in _FAILING else ""
    return f'<details class="scenario {escape(outcome)}"{opened}>{head}{"".join(body)}</details>'


_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:0;vertical-align:top}
th{padding:.4em .6em;text-align:left;background:#f3f3f3}
td a{display:block;padding:.4em .6em;color:inherit;text-decoration:none;min-width:8em}
td a small{display:block;opacity:.8}
.pass{background:#c8eccb}.fail{background:#f6c1c1}.never{background:#e2e2e2;color:#666}
.panel{display:none;border:2px solid #888;padding:.5em 1em;margin:1em 0}.panel:target{display:block}
pre{background:#fafafa;border:1px solid #ddd;padding:.5em;overflow:auto;font-size:12px}
.badge{padding:0 .4em;border-radius:3px}.badge.passed,.badge.xfailed{background:#c8eccb}
.badge.failed,.badge.error{background:#f6c1c1}.badge.skipped{background:#e2e2e2}
details{margin:.3em 0}summary{cursor:pointer}
"""

_JS = """
document.querySelectorAll('td a').forEach(function(a){a.addEventListener('click',function(){
  document.querySelectorAll('td a.current').forEach(function(b){b.classList.remove('current')});
  a.classList.add('current');});});
"""


def render_html(results: list[dict[str, Any]], partners: Iterable[str] | None = None) -> str:
    """The page for ``results`` (``ResultsCollector.data``); rows for ``partners`` (default: those touched)."""
    touched = {e["partner"] for r in results for e in r["exchanges"]} | {r["partner"] for r in results}
    rows = sorted(set(partners) if partners is not None else {p for p in touched if p})
    cells = _cells(results, rows)
    failed = sum(r["outcome"] in _FAILING for r in results)
    table, panels = [], []
    for partner, operations in cells.items():
        tds = []
        for operation, scenarios in operations.items():
            state, anchor = _state(scenarios), _anchor(partner, operation)
            tds.append(f'<td class="{state}" data-partner="{escape(partner)}" data-operation="{escape(operation)}">'
                       f'<a href="#{anchor}">{escape(operation)}<small>{escape(_counts(scenarios))}</small></a></td>')
            inner = "".join(_scenario(s, partner, operation) for s in scenarios) or "<p>no scenario exercised it</p>"
            panels.append(f'<section class="panel" id="{anchor}"><h3>{escape(partner)}.{escape(operation)}: '
                          f'{escape(_counts(scenarios))}</h3>{inner}</section>')
        table.append(f'<tr><th>{escape(partner)}</th>{"".join(tds)}</tr>')
    listing = "".join(_scenario(r, None, None) for r in sorted(results, key=lambda r: (r["outcome"] not in _FAILING,
                                                                                        r["name"])))
    summary = f"{len(results)} scenarios, {failed} failed"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; '
        'script-src \'unsafe-inline\'">'
        f"<title>partnersim run: {escape(summary)}</title><style>{_CSS}</style></head><body>"
        f'<h1>partnersim run</h1><p id="summary">{escape(summary)}. Green: every scenario that touched the '
        "operation passed; red: one failed; grey: never exercised. Select a cell for its scenarios and exchanges.</p>"
        f'<table id="matrix">{"".join(table)}</table>{"".join(panels)}'
        f'<h2>all scenarios</h2><div id="scenarios">{listing}</div>'
        f"<script>{_JS}</script></body></html>\n"
    )


def write_html(path: Path, results: list[dict[str, Any]], partners: Iterable[str] | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(results, partners), encoding="utf-8")

