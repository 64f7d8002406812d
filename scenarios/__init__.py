"""Scenarios: YAML files that drive an adapter against the sandbox and check what the partner received.

A scenario (format ``version: 1``, schema in ``scenarios/schema.json``)::

    version: 1
    partner: imt
    title: A card payment is posted as CREDIT_CARD
    source: design 000 §Data Pump Payment
    given:                                   # biller settings over the sandbox defaults, invoices IC knows,
      invoices:                              # demo data (default) and/or a seed in the fixture format
        - {account_number: ACCT0001, invoice_number: DIRINV-2026-11-01-ACCT0001-1, invoice_date: 2026-11-01}
    steps:                                   # call: an adapter call; clock, send, fault, run: see scenarios.steps
      - call: post_payment
        with: {payment_id: pay-1, invoice: DIRINV-2026-11-01-ACCT0001-1, amount: 100.00,
               paid_on: 2026-11-15, method: card}
        expect:
          result: {payment_id: pay-1}        # or error: {type: PartnerRejected, code: not_found}
    expect:
      exchanges:                             # what the partner received, in its own terms
        - operation: imt.post_payment
          count: 1
          request: {/data/attributes/payment_method: CREDIT_CARD, query: {customer_username: absent}}
          response: {status: 200}
      ledger:                                # GET /__admin/state afterwards
        ACCT0001: {balance: {total_due: 1150.00}, payments: {pay-1: {status: posted}}}

Run one with ``run_scenario(path, server)``, the catalogue with ``partnersim run`` or ``pytest`` (the
plugin in ``scenarios.plugin`` collects scenario files as test items). A malformed scenario is a
``ScenarioError`` naming file and line; a failed one a ``ScenarioFailed`` whose report puts the
expected and the received exchanges side by side.

An external client (a production adapter in another language, curl) takes the place of the Python
adapter in ``run`` steps (``scenarios.external``): the program is started without a shell in the
scenario's folder, with ``{sandbox}``, ``{partner}``, ``{setting_<id>}``, ``with:`` values and earlier
captures in its arguments and the sandbox's URLs and the biller's settings in its environment; its exit
code, stdout and stderr are its result, and the journal and the ledger judge the rest::

    client: {command: [curl, --silent, --show-error, --fail-with-body], requires: [curl], timeout: 10}
    steps:
      - run: {args: [--data, '{"data": ...}', "{partner}/users/api/v1/tokens/"]}
        capture: {token: {json: /data/attributes/auth}}     # for {token} in later steps
        expect: {result: {exit: 0, json: {data: {type: Token}}}}

A ``send`` step captures from the partner's answer the same way (``{json: /pointer}`` and
``{matches: regex}`` on its body, ``{header: Set-Cookie, matches: regex}`` on a header), and a later
written request takes the values as ``{name}`` in its host, path, query, headers, form values, JSON
string values and body (``scenarios._template``; ``{{name}}`` is literal). A placeholder that names no
value captured earlier (nor ``sandbox``, ``partner``, ``setting_<id>``) is an error when the file is
loaded; a value the answer does not hold fails the step and stops the run::

    steps:                                   # Spectrum's auth host: a session cookie, then a setting
      - send:
          request:
            host: auth
            path: /sandbox/api/sessions/
            headers: {Content-Type: application/vnd.api+json}
            json: {data: {type: sessions, attributes: {username: sandbox, password: sandbox}}}
        capture: {session: {header: Set-Cookie, matches: 'sessionid=([^;]+)'}}
      - send:
          request:
            host: auth
            path: /sandbox/api/settings/30254/
            headers: {Content-Type: application/vnd.api+json, Cookie: "sessionid={session}"}
            json: {data: {type: policy-settings, id: "30254", attributes: {paperless: true}}}
        expect: {result: {status: 200}}

``partnersim scenario from-journal`` writes such steps for the partners whose requests carry a token or a
session the partner issued (``scenarios.generate``).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scenarios.errors import ScenarioError, ScenarioFailed
    from scenarios.loader import FORMAT_VERSION, SCHEMA_PATH, load_scenario, looks_like_scenario, scenario_from_data
    from scenarios.match import Difference
    from scenarios.model import Scenario
    from scenarios.result import Failure, ScenarioResult, StepRecord
    from scenarios.runner import run_scenario

#: The scenario catalogue shipped with partnersim (one folder per partner).
CATALOG = Path(__file__).parent / "catalog"

__all__ = [
    "CATALOG",
    "FORMAT_VERSION",
    "SCHEMA_PATH",
    "Difference",
    "Failure",
    "Scenario",
    "ScenarioError",
    "ScenarioFailed",
    "ScenarioResult",
    "StepRecord",
    "load_scenario",
    "looks_like_scenario",
    "run_scenario",
    "scenario_from_data",
]

# The pytest plugin (scenarios.plugin) loads in every pytest process where partnersim is installed;
# the names above are imported on first use so that loading it does not start simulators and adapters.
_HOME = {
    "ScenarioError": "errors", "ScenarioFailed": "errors", "FORMAT_VERSION": "loader", "SCHEMA_PATH": "loader",
    "load_scenario": "loader", "looks_like_scenario": "loader", "scenario_from_data": "loader",
    "Difference": "match", "Scenario": "model", "Failure": "result", "ScenarioResult": "result",
    "StepRecord": "result", "run_scenario": "runner",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'scenarios' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"scenarios.{home}"), name)
    globals()[name] = value
    return value
