"""The ``fault`` step: a scenario makes the partner misbehave, and the adapter's reaction is judged.

Runs against the plugin's ``partnersim`` sandbox (IMT), so the plans go through ``/__admin/faults``
exactly as a person would set them.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
import requests

from scenarios import ScenarioError, load_scenario, run_scenario
from simulators import ServerThread

HEAD = """\
version: 1
partner: imt
given:
  invoices:
    - {account_number: ACCT0001, invoice_number: DIRINV-2026-11-01-ACCT0001-1, invoice_date: 2026-11-01,
       balance_forward: true}
"""

PAY = """\
  - call: post_payment
    with: {payment_id: pay-f1, invoice: DIRINV-2026-11-01-ACCT0001-1, amount: 100.00, paid_on: 2026-11-15,
           method: card}
"""

UNAVAILABLE_ONCE = HEAD + """\
steps:
  - fault: {operation: post_payment, status: 503, times: 1}
""" + PAY + """\
    expect:
      error: {type: PartnerUnavailable, operation: imt.post_payment, message: {contains: HTTP 503}}
      exchanges:
        - {operation: imt.post_payment, count: 1, response: {status: 503, /errors/0/status: "503"}}
""" + PAY.replace("  - call:", "  - name: the retry, once the plan is spent\n    call:") + """\
    expect:
      result: {payment_id: pay-f1}
expect:
  ledger:
    ACCT0001:
      balance: {total_due: 1150.00}
      payments: {pay-f1: {amount: 100.00, status: posted}}
"""


def write(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_503_once_on_post_payment_is_partner_unavailable_then_the_retry_posts(
        tmp_path: Path, partnersim: ServerThread) -> None:
    result = run_scenario(write(tmp_path, UNAVAILABLE_ONCE), partnersim)
    assert result.passed, result.report()
    faulted = [e for e in result.exchanges if e.operation == "post_payment"]
    assert [e.response.status for e in faulted if e.response] == [503, 200]
    assert re.fullmatch(r"fault \d+ applied: status 503", faulted[0].notes) and faulted[0].faults
    assert result.steps[0].outcome["remaining"] == 1, "the step's outcome is the plan as the sandbox stored it"


def test_then_answer_the_partner_posted_while_the_adapter_saw_a_dropped_connection(
        tmp_path: Path, partnersim: ServerThread) -> None:
    text = HEAD + """\
steps:
  - fault: {operation: imt.post_payment, drop: true, then_answer: true}
""" + PAY + """\
    expect:
      error: {type: PartnerUnavailable, message: {contains: failed before a complete answer arrived}}
expect:
  exchanges:
    - {operation: imt.post_payment, count: 1}
  ledger:
    ACCT0001:
      balance: {total_due: 1150.00}
      payments: {pay-f1: {status: posted}}
"""
    result = run_scenario(write(tmp_path, text), partnersim)
    assert result.passed, result.report()
    posted = result.exchanges[-1]
    assert posted.response is None and "the partner had answered 200" in posted.notes


def test_each_scenario_starts_without_the_plans_of_the_one_before(tmp_path: Path, partnersim: ServerThread) -> None:
    forever = HEAD + """\
steps:
  - fault: {operation: post_payment, status: 500, times: null}
""" + PAY + """\
    expect:
      error: PartnerUnavailable
"""
    assert run_scenario(write(tmp_path, forever, "forever.yaml"), partnersim).passed
    assert requests.get(f"{partnersim.url}/__admin/faults").json()["faults"][0]["remaining"] is None
    plain = HEAD + "steps:\n" + PAY + "    expect:\n      result: {payment_id: pay-f1}\n"
    result = run_scenario(write(tmp_path, plain, "plain.yaml"), partnersim)
    assert result.passed, result.report()


@pytest.mark.parametrize(("fault", "line", "where", "says"), [
    ("{operation: pay_now, status: 503}", 8, "steps[0].fault.operation", "imt has no operation 'pay_now'"),
    ("{partner: imt, operation: sapiens.post_payment, status: 503}", 8, "steps[0].fault.operation", "an operation of 'sapiens'"),
    ("{operation: post_payment, status: 503, delay: 1}", 8, "steps[0].fault",
     "exactly one effect: status, delay, drop, corrupt, answer or token; found status and delay"),
    ("{operation: post_payment}", 8, "steps[0].fault", "found none"),
    ("{operation: post_payment, delay: 1, body: oops}", 8, "steps[0].fault.body", "body goes with status"),
    ("{operation: post_payment, status: 503, times: 0}", 8, "steps[0].fault.times", "minimum"),
    ("{operation: post_payment, status: 503, tims: 2}", 8, "steps[0].fault.tims", "unknown key 'tims'"),
    ("{operation: post_payment, where: {nope x: 1}, status: 503}", 8, "steps[0].fault.where", "no field 'nope x'"),
    ("{operation: post_payment, answer: {return_code: FAILURE}}", 8, "steps[0].fault.answer",
     "imt gives no 'return_code' answer"),
    ("{operation: post_payment, drop: sideways}", 8, "steps[0].fault.drop", "before"),
    ("{operation: post_payment, delay: {min: 1}}", 8, "steps[0].fault.delay", "min"),
])
def test_the_loader_refuses_a_malformed_fault_step_with_file_and_line(tmp_path: Path, fault: str, line: int,
                                                                     where: str, says: str) -> None:
    path = write(tmp_path, HEAD + f"steps:\n  - fault: {fault}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    error = info.value
    assert str(error).startswith(f"{path}:{line}: ")
    assert (error.line, error.where) == (line, where) and says in error.message, error.message


def test_a_fault_step_has_no_result_to_expect(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + "steps:\n  - fault: {status: 503}\n    expect:\n      result: {id: 1}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.line == 9 and "no result or error to expect" in info.value.message


def test_the_partner_defaults_to_the_scenarios(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, HEAD + "steps:\n  - fault: {delay: 0.5, times: null}\n"))
    step = scenario.steps[0]
    assert (step.kind, dict(step.fault), step.line) == ("fault", {"delay": 0.5, "times": None}, 8)
    assert step.label == "steps[0] fault"
