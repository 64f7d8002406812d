"""Loading scenarios: YAML with lines, the schema, and the checks after it; every error names file and line."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jsonschema
import pytest

from scenarios import CATALOG, ScenarioError, load_scenario, looks_like_scenario, scenario_from_data
from scenarios._yaml import LocatedError, load_located
from scenarios.calls import CALLS
from scenarios.loader import schema

CATALOGUE = sorted(CATALOG.glob("imt/*.yaml"))

GOOD = """\
version: 1
partner: imt
source: design 000 §Data Pump Payment
given:
  invoices:
    - {account_number: ACCT0001, invoice_number: INV-1, invoice_date: 2026-11-01, balance_forward: true}
steps:
  - call: post_payment
    with: {payment_id: p-1, invoice: INV-1, amount: 100.00, paid_on: 2026-11-15, method: card}
    expect:
      result: {payment_id: p-1}
expect:
  exchanges:
    - operation: imt.post_payment
      count: 1
"""


def write(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> ScenarioError:
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value).startswith(f"{path}:{info.value.line}: "), "the message leads with file:line"
    return info.value


def test_a_good_scenario_loads_with_typed_invoices_and_lines(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, GOOD))
    assert scenario.name == "scenario" and scenario.partner == "imt"
    invoice = scenario.given.invoices[0]
    assert invoice.invoice_date is not None and invoice.invoice_date.isoformat() == "2026-11-01"
    step = scenario.steps[0]
    assert (step.kind, step.call, step.line) == ("call", "post_payment", 8)
    assert step.args["paid_on"] == "2026-11-15", "dates stay the text the scenario wrote"
    assert scenario.exchanges[0].line == 14 and scenario.exchanges[0].count == 1


def test_invalid_yaml_names_file_and_line(tmp_path: Path) -> None:
    error = error_of(tmp_path, GOOD.replace("  - call: post_payment", "  - call: post_payment\n   bad: [1"))
    assert error.line == 9 and "not valid YAML" in error.message


def test_an_unknown_step_kind_is_refused_with_the_known_kinds(tmp_path: Path) -> None:
    error = error_of(tmp_path, GOOD.replace("  - call: post_payment\n    with:", "  - pay_bill: post_payment\n    with:"))
    assert error.line == 8 and error.where == "steps[0].pay_bill"
    assert "unknown step kind 'pay_bill'" in error.message and "call, clock" in error.message


def test_a_schema_violation_names_the_line_of_the_value(tmp_path: Path) -> None:
    text = GOOD.replace("amount: 100.00,", "amount: [1, 2],")
    error = error_of(tmp_path, text)
    assert (error.line, error.where) == (9, "steps[0].with.amount")
    assert "expected a number or text" in error.message and "found a list" in error.message


def test_a_misspelt_key_names_its_own_line_and_the_valid_keys(tmp_path: Path) -> None:
    error = error_of(tmp_path, GOOD.replace("      count: 1", "      cuont: 1"))
    assert (error.line, error.where) == (15, "expect.exchanges[0].cuont")
    assert "unknown key 'cuont'" in error.message and "count" in error.message


def test_every_problem_is_reported_at_once_in_line_order(tmp_path: Path) -> None:
    text = GOOD.replace("      count: 1", "      count: -1").replace("version: 1\npartner: imt", "version: 1\npartner: IMT")
    error = error_of(tmp_path, text)
    assert error.line == 2 and "and 1 more problem" in error.message and ":15: expect.exchanges[0].count" in error.message


def test_an_unknown_format_version_is_refused_with_a_hint(tmp_path: Path) -> None:
    error = error_of(tmp_path, GOOD.replace("version: 1", "version: 2"))
    assert error.line == 1 and "version 2 is not known" in error.message and "Upgrade partnersim" in error.message


@pytest.mark.parametrize(("old", "new", "line", "needle"), [
    ("operation: imt.post_payment", "operation: imt.post_payments", 14, "imt.post_payment, imt.post_credit"),
    ("invoice: INV-1,", "invoice: INV-2,", 9, "no given invoice is numbered 'INV-2'"),
    ("result: {payment_id: p-1}", "error: {type: PartnerRefused}", 11, "unknown error type 'PartnerRefused'"),
    ("result: {payment_id: p-1}", "result: {payment_id: {matches: '('}}", 11, "not one"),
    ("paid_on: 2026-11-15", "paid_on: 2026-13-45", 9, "not a date"),
    ("result: {payment_id: p-1}", "result: {payment_id: p-1}\n      error: AuthError", 10, "not both"),
])
def test_what_the_schema_cannot_say_is_checked_too(tmp_path: Path, old: str, new: str, line: int, needle: str) -> None:
    error = error_of(tmp_path, GOOD.replace(old, new))
    assert error.line == line and needle in error.message


def test_a_step_with_two_kinds_or_a_clock_step_with_arguments_is_refused(tmp_path: Path) -> None:
    two = error_of(tmp_path, GOOD.replace("  - call: post_payment", "  - clock: {advance: 5}\n    call: post_payment"))
    assert two.line == 8 and "one kind of action" in two.message
    clock = error_of(tmp_path, GOOD.replace("  - call: post_payment", "  - clock: {advance: 5}"))
    assert clock.where == "steps[0].with" and "takes none" in clock.message


def test_a_key_given_twice_is_an_error_not_an_overwrite(tmp_path: Path) -> None:
    error = error_of(tmp_path, GOOD.replace("      count: 1", "      count: 1\n      count: 2"))
    assert error.line == 16 and "given twice" in error.message


def test_an_empty_file_and_a_list_are_not_scenarios(tmp_path: Path) -> None:
    assert "found an empty file" in error_of(tmp_path, "").message
    assert "found a list" in error_of(tmp_path, "- 1\n").message


def test_bif_text_gives_the_invoices_and_a_broken_one_names_the_line(tmp_path: Path) -> None:
    bif = ("    1~FH|2~G|4~11/01/2026|5~1|6~10.00\n"
           "    7~IH|10~INV-9|11~11/01/2026|13~10.00|194~1\n"
           "    58~CR|59~ACCT0009\n")
    text = GOOD.replace("  invoices:\n    - {account_number: ACCT0001, invoice_number: INV-1, invoice_date: 2026-11-01, "
                        "balance_forward: true}\n", "  invoices: |\n" + bif).replace("INV-1", "INV-9")
    scenario = load_scenario(write(tmp_path, text))
    assert [(i.account_number, i.invoice_number) for i in scenario.given.invoices] == [("ACCT0009", "INV-9")]
    error = error_of(tmp_path, text.replace("11~11/01/2026", "11~2026-11-01"))
    assert error.line == 5 and "BIF text cannot be read" in error.message


def test_a_scenario_from_data_has_no_lines_but_the_same_checks() -> None:
    scenario = scenario_from_data({"version": 1, "partner": "imt", "steps": [{"clock": {"advance": 1}}]})
    assert scenario.steps[0].kind == "clock" and scenario.given.demo is True
    with pytest.raises(ScenarioError, match=r"<scenario>: steps\[0\]: .*no step kind"):
        scenario_from_data({"version": 1, "partner": "imt", "steps": [{"name": "x"}]})


def test_looks_like_scenario_wants_top_level_version_and_steps() -> None:
    assert looks_like_scenario(GOOD)
    assert not looks_like_scenario("version: 1\npartner: imt\nrequest: {}\n")
    assert not looks_like_scenario("version: 1\nitems:\n  steps: []\n")


def test_yaml_lines_text_and_values() -> None:
    located = load_located("a: 2026-11-01\n8: x\nlist:\n  - k: 1\n    j: 2\n  - {k: 3}\nb: &d {x: 1}\nc:\n  <<: *d\n  y: 2\n")
    assert located.data == {"a": "2026-11-01", "8": "x", "list": [{"k": 1, "j": 2}, {"k": 3}],
                            "b": {"x": 1}, "c": {"x": 1, "y": 2}}
    assert located.line(("list", 1, "k")) == 6 and located.line(("list", 0, "nope")) == 4
    assert located.text(("list", 0)) == "k: 1\nj: 2" and located.text(("c",)) == "c:\n  <<: *d\n  y: 2"
    with pytest.raises(LocatedError) as info:
        load_located("a:\n  - [x\n")
    assert info.value.line == 3


def test_the_schema_is_valid_and_knows_exactly_the_calls_there_are() -> None:
    jsonschema.Draft202012Validator.check_schema(schema())
    enum = schema()["$defs"]["call_step"]["properties"]["call"]["enum"]
    assert sorted(enum) == sorted(CALLS)
    assert json.dumps(schema())  # plain JSON, for editors and other tools


def test_the_catalogue_has_every_imt_operation_and_each_scenario_names_its_design_section() -> None:
    scenarios = [load_scenario(path) for path in CATALOGUE]
    assert len(scenarios) >= 15
    assert all("design" in s.source or "product sheet" in s.source for s in scenarios), "trace to a design section"
    calls = {step.call for s in scenarios for step in s.steps if step.call}
    assert calls == set(CALLS)
    checked = {e.operation for s in scenarios for e in s.exchanges + tuple(x for st in s.steps for x in st.expect.exchanges)}
    assert checked >= {"imt.token", "imt.rtdr_v1", "imt.rtdr_v2", "imt.post_payment", "imt.post_credit",
                       "imt.update_settings", "imt.get_bill"}


def test_the_sapiens_catalogue_covers_every_operation_and_names_its_design_section() -> None:
    from contracts import load_contract

    scenarios = [load_scenario(path) for path in sorted(CATALOG.glob("sapiens/*.yaml"))]
    assert len(scenarios) >= 25, "issue 3 asks for at least 25"
    assert all("design 004" in s.source for s in scenarios), "trace to a design section"
    assert {step.call for s in scenarios for step in s.steps if step.call} == set(CALLS)
    checked = {e.operation for s in scenarios for e in s.exchanges + tuple(x for st in s.steps for x in st.expect.exchanges)}
    soap = {op.qualified for op in load_contract("sapiens").operations() if not op.name.endswith("_wsdl")}
    assert checked >= soap, sorted(soap - checked)
    assert any(step.kind == "send" for s in scenarios for step in s.steps), "the malformed design sample, as written"


def test_the_spectrum_catalogue_covers_every_operation_and_names_design_001() -> None:
    from contracts import load_contract

    scenarios = [load_scenario(path) for path in sorted(CATALOG.glob("spectrum/*.yaml"))]
    assert len(scenarios) >= 15
    assert all("design 001" in s.source for s in scenarios), "trace to a design section"
    assert {step.call for s in scenarios for step in s.steps if step.call} == set(CALLS)
    checked = {e.operation for s in scenarios for e in s.exchanges + tuple(x for st in s.steps for x in st.expect.exchanges)}
    operations = {op.qualified for op in load_contract("spectrum").operations()}
    assert checked >= operations, sorted(operations - checked)
    assert any(step.kind == "send" for s in scenarios for step in s.steps), "a design sample, as written"


def test_the_tccs_catalogue_covers_every_operation_and_names_design_002() -> None:
    from contracts import load_contract

    scenarios = [load_scenario(path) for path in sorted(CATALOG.glob("tccs/*.yaml"))]
    assert len(scenarios) >= 15
    assert all("design 002" in s.source for s in scenarios), "trace to a design section"
    assert {step.call for s in scenarios for step in s.steps if step.call} == set(CALLS)
    checked = {e.operation for s in scenarios for e in s.exchanges + tuple(x for st in s.steps for x in st.expect.exchanges)}
    operations = {op.qualified for op in load_contract("tccs").operations()}
    assert checked >= operations, sorted(operations - checked)
    options = [s.given.biller.get("options") or {} for s in scenarios]
    assert any(o.get("datapump_retry") is False for o in options), "ITG-1853: the retry switched off"
    versions = {str((s.given.biller.get("settings") or {}).get("35", "")) for s in scenarios}
    assert {"1", "2"} <= versions, "INT-6870: a biller on each service version (setting 35)"


#: Issue 5, "Fault plans": the five cases the catalogue has for every partner with an adapter, by file name
#: (``scenarios/catalog/<partner>/<name>.yaml``; the business failure keeps each partner's own word).
FAULT_CASES: dict[str, tuple[str, ...]] = {
    "a timeout, then a retry that does not post twice": ("fault_delay_beyond_timeout",),
    "a dropped connection after the partner posted": ("fault_drop_after_posting",),
    "a FAILURE surfaced as a typed error": ("fault_return_code_failure", "fault_error_answer", "fault_receipt_no_data"),
    "an expired token, renewed once where the partner has one": ("fault_token_expired",),
    "a malformed answer reported as a contract violation": ("fault_malformed_answer",),
}


def test_every_adapter_has_a_scenario_for_each_fault_case_of_issue_5() -> None:
    from adapters import adapter_names

    missing: list[str] = []
    for partner in adapter_names():
        for case, names in FAULT_CASES.items():
            found = [CATALOG / partner / f"{name}.yaml" for name in names if (CATALOG / partner / f"{name}.yaml").is_file()]
            if not found:
                missing.append(f"{partner}: {case} ({' or '.join(f'{name}.yaml' for name in names)})")
                continue
            scenario = load_scenario(found[0])
            assert scenario.partner == partner and not scenario.xfail, found[0]
            assert any(step.kind == "fault" for step in scenario.steps), f"{found[0]} sets no fault plan"
            assert scenario.ledger, f"{found[0]} does not check the ledger"
    assert not missing, "scenarios missing from the catalogue:\n" + "\n".join(missing)
