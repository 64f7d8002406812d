"""The runner: fresh state, steps, every expectation, and a report that shows expected and received side by side.

These tests use the plugin's own fixtures (``partnersim``: this process's sandbox, reset, and failed
by a sandbox error), so they check the fixtures too.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from scenarios import ScenarioError, ScenarioFailed, run_scenario
from simulators import ServerThread

PAYMENT = """\
version: 1
partner: imt
title: a card payment
given:
  invoices:
    - {account_number: ACCT0001, invoice_number: DIRINV-2026-11-01-ACCT0001-1, invoice_date: 2026-11-01,
       balance_forward: true}
steps:
  - call: post_payment
    with: {payment_id: pay-1, invoice: DIRINV-2026-11-01-ACCT0001-1, amount: 100.00, paid_on: 2026-11-15,
           method: card}
    expect:
      result: {payment_id: pay-1}
expect:
  exchanges:
    - operation: imt.post_payment
      count: 1
      request:
        /data/attributes/payment_method: CREDIT_CARD
      response: {status: 200}
  ledger:
    ACCT0001:
      balance: {total_due: 1150.00}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_scenario_that_holds_passes_on_fresh_state(tmp_path: Path, partnersim: ServerThread) -> None:
    path = write(tmp_path, PAYMENT)
    for _ in range(2):  # the second run starts from the demo data again: the payment is not there yet
        result = run_scenario(path, partnersim)
        assert result.passed, result.report()
    assert [e.qualified_operation for e in result.exchanges] == ["imt.token", "imt.post_payment"]
    assert result.ledger["ACCT0001"]["payments"]["pay-1"]["status"] == "posted"
    assert result.report().endswith(": passed")


def test_a_wrong_exchange_fails_with_expected_and_received_side_by_side(tmp_path: Path, partnersim: ServerThread) -> None:
    path = write(tmp_path, PAYMENT.replace("payment_method: CREDIT_CARD", "payment_method: EFT"))
    result = run_scenario(path, partnersim)
    assert not result.passed and len(result.failures) == 1
    report = result.report()
    assert f"at {path}:16" in report
    assert 'request /data/attributes/payment_method: expected "EFT", found "CREDIT_CARD"' in report
    rows = report.splitlines()
    header = next(r for r in rows if "expected (scenario)" in r)
    assert "| received: journal #2 imt.post_payment -> 200, closest of 1" in header
    # the expected field (marked) and the received exchange in the exchange format, on the same rows
    marked = next(r for r in rows if r.lstrip().startswith("> "))
    assert "/data/attributes/payment_method: EFT" in marked and " | " in marked
    assert any('"payment_method": "CREDIT_CARD"' in r.partition(" | ")[2] for r in rows)
    assert any("operation: post_payment" in r.partition(" | ")[2] for r in rows)
    with pytest.raises(ScenarioFailed) as info:
        result.raise_for_failures()
    assert str(info.value) == report


def test_when_no_exchange_of_the_operation_arrived_the_report_lists_what_did(tmp_path: Path,
                                                                             partnersim: ServerThread) -> None:
    text = PAYMENT.replace("    - operation: imt.post_payment\n      count: 1", "    - operation: imt.post_credit\n      count: 1")
    report = run_scenario(write(tmp_path, text), partnersim).report()
    assert "expected 1 imt.post_credit exchange matching during the scenario; the partner received 0" in report
    assert "no imt.post_credit was received during the scenario; the partner received: journal #1 imt.token -> 200, " \
           "journal #2 imt.post_payment -> 200" in report
    assert "received: journal #2 imt.post_payment -> 200 (another operation)" in report


def test_count_zero_fails_when_something_was_sent_and_shows_it(tmp_path: Path, partnersim: ServerThread) -> None:
    text = PAYMENT.replace("      count: 1\n      request:\n        /data/attributes/payment_method: CREDIT_CARD\n",
                           "      count: 0\n      request:\n        /data/attributes/payment_method: CREDIT_CARD\n")
    report = run_scenario(write(tmp_path, text), partnersim).report()
    assert "expected no imt.post_payment exchange matching during the scenario; the partner received 1" in report
    assert "/data/attributes/payment_method: CREDIT_CARD" in report and "received: journal #2" in report


def test_an_expected_error_that_does_not_come_stops_the_run(tmp_path: Path, partnersim: ServerThread) -> None:
    text = PAYMENT.replace("      result: {payment_id: pay-1}", "      error: {type: PartnerRejected, code: not_found}")
    text = text.replace("expect:\n  exchanges:", "  - clock: {advance: 10}\nexpect:\n  exchanges:")
    result = run_scenario(write(tmp_path, text), partnersim)
    assert [f.title for f in result.failures] == [
        "steps[0] post_payment: expected PartnerRejected, the call returned PaymentResult"]
    report = result.report()
    assert "(1 later step not run)" in report and "payment_id: pay-1" in report


def test_an_error_with_other_fields_is_shown_with_its_differences(partnersim: ServerThread) -> None:
    doc: dict[str, Any] = {"version": 1, "partner": "imt", "steps": [{
        "call": "post_credit", "with": {"payment_id": "nope", "account": "ACCT0001", "amount": 5, "kind": "void"},
        "expect": {"error": {"type": "PartnerRejected", "status": 400, "code": "not_found"}}}]}
    result = run_scenario(doc, partnersim)
    assert [str(d) for d in result.failures[0].differences] == ["error.status: expected 400, found 404"]
    doc["steps"][0]["expect"]["error"] = {"type": "AuthError"}
    title = run_scenario(doc, partnersim).failures[0].title
    assert title.startswith("steps[0] post_credit: expected AuthError, the call raised PartnerRejected: imt.post_credit:")


def test_the_ledger_is_checked_after_the_run(tmp_path: Path, partnersim: ServerThread) -> None:
    text = PAYMENT.replace("balance: {total_due: 1150.00}", "balance: {total_due: 1250.00}\n    NOSUCH: {balance: {}}")
    failures = run_scenario(write(tmp_path, text), partnersim).failures
    assert [str(d) for d in failures[0].differences] == ['ledger ACCT0001.balance.total_due: expected 1250.0, found "1150.00"']
    assert failures[1].title == "expect.ledger.NOSUCH: the partner's ledger has no such account"


def test_given_seed_and_no_demo_data(partnersim: ServerThread) -> None:
    seed = {"imt": {"accounts": [{"account_number": "S1", "invoices": [
        {"invoice_number": "S1-1", "invoice_date": "2026-11-01", "total": "75.00"}]}]}}
    doc = {"version": 1, "partner": "imt", "given": {"demo": False, "seed": seed, "invoices": [
        {"account_number": "S1", "invoice_number": "S1-1", "invoice_date": "2026-11-01", "balance_forward": True}]},
        "steps": [{"call": "refresh_balance", "expect": {"result": {"total_amount_due": 75}}}],
        "expect": {"ledger": {"S1": {"balance": {"total_due": "75.00"}}}}}
    result = run_scenario(doc, partnersim)
    assert result.passed, result.report()
    assert sorted(result.ledger) == ["S1"], "no demo data"


def test_given_invoices_can_seed_the_ledger(partnersim: ServerThread) -> None:
    doc = {"version": 1, "partner": "imt", "given": {"demo": False, "seed_invoices": True, "invoices": [
        {"account_number": "B1", "invoice_number": "B1-1", "invoice_date": "2026-11-01", "total_amount_due": 40,
         "balance_due": 40, "balance_forward": True}]},
        "steps": [{"call": "fetch_bill", "with": {"invoice": "B1-1"}, "expect": {"result": {"starts_with": "%PDF"}}}],
        "expect": {"ledger": {"B1": {"balance": {"total_due": 40}}}}}
    result = run_scenario(doc, partnersim)
    assert result.passed, result.report()


def test_a_seed_that_does_not_load_is_a_scenario_error_at_its_line(tmp_path: Path, partnersim: ServerThread) -> None:
    text = PAYMENT.replace("given:\n", "given:\n  seed: {imt: {accounts: [{name: no number}]}}\n")
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        run_scenario(path, partnersim)
    assert (info.value.line, info.value.where) == (5, "given.seed") and "account_number" in info.value.message


def test_biller_settings_that_make_no_adapter_are_a_scenario_error(tmp_path: Path, partnersim: ServerThread) -> None:
    text = PAYMENT.replace("given:\n", "given:\n  biller:\n    options: {rtdr_version: 3}\n")
    with pytest.raises(ScenarioError) as info:
        run_scenario(write(tmp_path, text), partnersim)
    assert info.value.where == "given.biller" and "rtdr_version must be 1 or 2" in info.value.message


def test_a_sandbox_error_fails_the_scenario_that_caused_it(partnersim: ServerThread,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from simulators.ledger import Ledger

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("ledger bug")

    monkeypatch.setattr(Ledger, "balance", broken)
    doc = {"version": 1, "partner": "imt", "given": {"invoices": [
        {"account_number": "ACCT0001", "invoice_number": "I-1", "invoice_date": "2026-11-01", "balance_forward": True}]},
        "steps": [{"call": "refresh_balance", "expect": {"error": {"type": "PartnerUnavailable"}}}]}
    result = run_scenario(doc, partnersim)
    assert len(result.failures) == 1 and "the sandbox raised" in result.failures[0].title
    assert "RuntimeError: ledger bug" in result.report()


def test_an_unexpected_exception_shows_its_traceback(partnersim: ServerThread, monkeypatch: pytest.MonkeyPatch) -> None:
    from adapters import ImtAdapter

    def broken(self: ImtAdapter, *args: Any, **kwargs: Any) -> Any:
        raise KeyError("adapter bug")

    monkeypatch.setattr(ImtAdapter, "set_paperless", broken)
    doc = {"version": 1, "partner": "imt", "steps": [{"call": "set_paperless", "with": {"account": "A", "enabled": True}}]}
    report = run_scenario(doc, partnersim).report()
    assert "steps[0] set_paperless: the call raised KeyError: 'adapter bug'" in report
    assert "Traceback (most recent call last)" in report and "in broken" in report
    frame = next(line for line in report.splitlines() if "in broken" in line)
    assert frame.strip().startswith('File "') and "test_runner.py" in frame, "the frame is one whole line, however long its path"


def test_the_partnersim_fixture_hands_out_a_reset_sandbox(partnersim: ServerThread) -> None:
    import requests

    assert requests.get(f"{partnersim.url}/__admin/journal", timeout=5).json() == {"entries": []}
    accounts = requests.get(f"{partnersim.url}/__admin/state?partner=imt", timeout=5).json()["imt"]["accounts"]
    assert [a["account_number"] for a in accounts] == ["ACCT0001", "ACCT0002", "ACCT0003"]


def test_the_example_in_the_package_docstring_runs(tmp_path: Path, partnersim: ServerThread) -> None:
    import scenarios

    doc = scenarios.__doc__ or ""
    example = doc.split("::\n\n", 1)[1].split("\n\nRun one", 1)[0]
    result = run_scenario(write(tmp_path, example), partnersim)
    assert result.passed, result.report()
    assert len(result.scenario.steps) == 1 and result.scenario.exchanges and result.scenario.ledger


def test_a_send_step_naming_no_recorded_exchange_is_a_scenario_error(partnersim: ServerThread) -> None:
    doc = {"version": 1, "partner": "sapiens", "steps": [{"send": {"exchange": "no-such-exchange"}}]}
    with pytest.raises(ScenarioError) as info:
        run_scenario(doc, partnersim)
    assert "no recorded exchange 'no-such-exchange'" in str(info.value)
    assert "sapiens-post-payment-design-sample" in str(info.value), "the message lists the recorded ones"


def test_a_send_step_answers_status_and_body_for_expect_result(partnersim: ServerThread) -> None:
    doc = {"version": 1, "partner": "sapiens", "steps": [
        {"send": {"exchange": "sapiens-post-payment-design-sample"},
         "expect": {"result": {"status": 200, "body": {"contains": "<ReturnCode>SUCCESS</ReturnCode>"}}}}]}
    result = run_scenario(doc, partnersim)
    assert len(result.failures) == 1 and "the result differs" in result.failures[0].title
