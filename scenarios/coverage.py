"""Contract coverage of a scenario run (``partnersim run --coverage``): what the catalogue exercised.

The plugin hands every scenario's exchanges (the sandbox journal of that scenario, read before the next
scenario resets it) to a ``CoverageCollector``, which keeps, per partner and category, each item of
``contracts.coverage`` and the scenarios that exercised it. Under pytest-xdist each worker sends its
collector's data to the controller (``config.workeroutput``), which merges them and writes one JSON file
(``--partnersim-coverage FILE``). ``coverage_report`` then sets that against each contract's universe:
exercised, never exercised, and exercised though the contract does not declare it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from contracts import Exchange, HarnessError, load_contract, partner_names
from contracts.coverage import CATEGORIES, exercised, universe

__all__ = ["CoverageCollector", "coverage_report", "format_table", "read_collected"]

Collected = dict[str, dict[str, dict[str, list[str]]]]  # partner -> category -> item -> scenario names


class CoverageCollector:
    def __init__(self) -> None:
        self.data: Collected = {}

    def add(self, scenario: str, exchanges: Iterable[Exchange]) -> None:
        for exchange in exchanges:
            if exchange.partner not in partner_names():
                continue
            items = exercised(load_contract(exchange.partner), exchange)
            partner = self.data.setdefault(exchange.partner, {})
            for category, names in items.items():
                for name in names:
                    seen = partner.setdefault(category, {}).setdefault(name, [])
                    if scenario not in seen:
                        seen.append(scenario)

    def merge(self, other: Mapping[str, Any]) -> None:
        for partner, categories in other.items():
            for category, items in categories.items():
                for name, scenarios in items.items():
                    seen = self.data.setdefault(partner, {}).setdefault(category, {}).setdefault(name, [])
                    seen.extend(s for s in scenarios if s not in seen)

    def dumps(self) -> str:
        return json.dumps(self.data, sort_keys=True)

    def write(self, path: Path) -> None:
        path.write_text(self.dumps(), encoding="utf-8")


def read_collected(path: Path) -> Collected:
    try:
        data: Collected = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise HarnessError(f"{path}: no coverage data from the scenario run ({exc})") from exc
    return data


def coverage_report(collected: Mapping[str, Any], partners: Iterable[str] | None = None) -> dict[str, Any]:
    """Per partner and category: exercised items (with their scenarios), never exercised, undeclared."""
    out: dict[str, Any] = {}
    for partner in partners or partner_names():
        offered = universe(load_contract(partner))
        hit = collected.get(partner, {})
        entry: dict[str, Any] = {}
        for category in CATEGORIES:
            items, seen = offered[category], hit.get(category, {})
            entry[category] = {
                "exercised": {name: sorted(seen[name]) for name in sorted(items) if name in seen},
                "never": sorted(items - set(seen)),
                # a required field is not an optional one: only undeclared answers and codes are news
                "undeclared": {} if category == "optional fields" else
                {name: sorted(s) for name, s in sorted(seen.items()) if name not in items},
            }
        out[partner] = entry
    return out


def format_table(report: Mapping[str, Any], *, list_never: bool = True) -> str:
    """A table of exercised / offered per partner and category, then what was never exercised."""
    width = max(len(c) for c in CATEGORIES)
    lines = ["contract coverage (exercised / offered by the contract)",
             f"  {'partner':<10} " + "  ".join(f"{c:>{max(len(c), 7)}}" for c in CATEGORIES)]
    for partner, entry in report.items():
        cells = []
        for c in CATEGORIES:
            done, total = len(entry[c]["exercised"]), len(entry[c]["exercised"]) + len(entry[c]["never"])
            cells.append(f"{(f'{done}/{total}' if total else '-'):>{max(len(c), 7)}}")
        lines.append(f"  {partner:<10} " + "  ".join(cells))
    if list_never:
        for partner, entry in report.items():
            for c in CATEGORIES:
                if entry[c]["never"]:
                    lines.append(f"{partner} {c:<{width}} never: {', '.join(entry[c]['never'])}")
    return "\n".join(lines)
