"""Running a scenario against a sandbox: fresh state, the adapter, the steps, every expectation.

::

    with ServerThread(Sandbox()) as server:
        result = run_scenario("scenarios/catalog/imt/payment_card.yaml", server)
        print(result.report())          # or result.raise_for_failures()

The runner resets the sandbox (ledger, journal, clock), seeds it from ``given``, builds the partner's
adapter from the biller's settings with ``{sandbox}`` pointing at ``server.url``, and runs the steps in
order (a scenario whose ``client.requires`` names a program not on PATH is skipped instead, see
``scenarios.external``). After each step it reads what the partner received from ``/__admin/journal``; after the last, the
ledger from ``/__admin/state``. A step that does not do what later steps need (it raised where a
result was expected, or the other way round) stops the run: later steps and the scenario's final
expectations would only report its consequences. Errors the sandbox raised while handling a
request fail the scenario that caused them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import requests

from adapters import create_adapter
from contracts import HarnessError
from contracts import bif as bif_codec
from simulators import Sandbox, ServerThread

from scenarios._admin import SandboxAdmin
from scenarios.billers import biller_settings
from scenarios.checks import check_exchanges, check_ledger, check_step
from scenarios.errors import ScenarioError
from scenarios.external import missing_programs
from scenarios.loader import load_scenario, scenario_from_data
from scenarios.model import Scenario
from scenarios.result import Failure, ScenarioResult
from scenarios.steps import StepContext, run_step

__all__ = ["run_scenario"]


def _as_scenario(scenario: Scenario | str | os.PathLike[str] | Mapping[str, Any]) -> Scenario:
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, Mapping):
        return scenario_from_data(scenario)
    return load_scenario(Path(scenario))


def _prepare(scenario: Scenario, sandbox: Sandbox) -> None:
    given = scenario.given
    sandbox.reset(demo=given.demo)
    try:
        if given.seed:
            sandbox.seed(given.seed)
    except HarnessError as exc:
        raise ScenarioError(f"the seed does not load: {exc}. Give it in the sandbox's fixture format "
                            "(simulators/seed.py).", file=scenario.path, line=scenario.line(("given", "seed")),
                            where="given.seed") from exc
    try:
        if given.seed_invoices and given.invoices:
            doc = bif_codec.bif_from_invoices(list(given.invoices), biller_guid="SCENARIO", created=date.today())
            sandbox.seed_bif(scenario.partner, bif_codec.build(doc))
    except HarnessError as exc:
        raise ScenarioError(f"the given invoices do not load into the ledger: {exc}", file=scenario.path,
                            line=scenario.line(("given", "seed_invoices")), where="given.seed_invoices") from exc


def _adapter(scenario: Scenario, base_url: str, session: requests.Session) -> Any:
    settings = biller_settings(scenario.partner, scenario.given.biller, base_url)
    try:
        adapter = create_adapter(scenario.partner, settings, session=session)
    except HarnessError as exc:
        raise ScenarioError(f"the biller settings do not make an adapter: {exc}", file=scenario.path,
                            line=scenario.line(("given", "biller")), where="given.biller") from exc
    for step in scenario.steps:
        if step.kind == "call" and not callable(getattr(adapter, step.call, None)):
            raise ScenarioError(f"the {scenario.partner} adapter ({type(adapter).__name__}) has no call "
                                f"{step.call!r}", file=scenario.path, line=step.line, where=f"steps[{step.index}]")
    return adapter


def run_scenario(scenario: Scenario | str | os.PathLike[str] | Mapping[str, Any], server: ServerThread) -> ScenarioResult:
    """Run one scenario against a started sandbox; ``ScenarioError`` if it cannot be run as written."""
    scenario = _as_scenario(scenario)
    sandbox = server.sandbox
    if not sandbox.ctx.config.journal:
        raise ScenarioError("the sandbox keeps no journal (SandboxConfig(journal=False)), so the exchanges "
                            "cannot be checked; run scenarios on a sandbox with its journal on", file=scenario.path)
    missing = missing_programs(scenario)
    if missing:
        return ScenarioResult(scenario, skipped=f"{', '.join(missing)} not found on PATH (client.requires of "
                                                f"{scenario.place(('client', 'requires'))})")
    sandbox.take_errors()  # errors of an earlier test are that test's
    _prepare(scenario, sandbox)
    result = ScenarioResult(scenario)
    with requests.Session() as admin_session, requests.Session() as session:
        for s in (admin_session, session):
            s.trust_env = False  # the sandbox is local: no proxy from the environment in between
        admin = SandboxAdmin(server.url, admin_session)
        ctx = StepContext(_adapter(scenario, server.url, session), admin, scenario.given, scenario, server.url)
        seen, stopped = 0, False
        for step in scenario.steps:
            record = run_step(step, ctx)
            record.exchanges = admin.journal(since=seen)
            if record.exchanges:
                seen = int(record.exchanges[-1].id)
            result.steps.append(record)
            result.exchanges.extend(record.exchanges)
            failures, stopped = check_step(record, scenario)
            result.failures.extend(failures)
            if stopped:
                break
        if not stopped:
            result.failures.extend(check_exchanges(scenario.exchanges, result.exchanges, scenario, "during the scenario"))
            if scenario.ledger:
                result.ledger = admin.state(scenario.partner)
                result.failures.extend(check_ledger(scenario.ledger, result.ledger, scenario))
    errors = sandbox.take_errors()
    if errors:
        result.failures.append(Failure("the sandbox raised while handling a request of this scenario (a simulator "
                                       "bug: fix the simulator, not the scenario)", scenario.place(),
                                       note="\n".join(errors)))
    return result
