"""Contract coverage: what a contract offers (``contracts.coverage``) and ``partnersim run --coverage``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from contracts import load_contract
from contracts.coverage import exercised, universe
from scenarios import CATALOG
from scenarios.coverage import CoverageCollector, coverage_report, format_table


def test_the_universe_names_levels_variants_codes_and_optional_fields() -> None:
    sapiens = universe(load_contract("sapiens"))
    assert {f"post_payment dbAllocLevel {x}" for x in "ACNPIS"} == sapiens["allocation levels"]
    assert {"remit_search NONEFOUND", "post_payment FAILURE", "account_balance MISSINGPARAMS"} <= sapiens["return codes"]
    assert "post_payment notes" in sapiens["optional fields"]
    tccs = universe(load_contract("tccs"))
    assert {"Pay_Input quote with payment_guid", "Pay_Input payment without payment_guid"} <= tccs["grammar variants"]
    assert {"Pay_Input Duplicate", "ARState_Output Success"} <= tccs["return codes"]
    imt = universe(load_contract("imt"))
    assert {"rtdr_v2 query customer_username", "post_payment /data/attributes/policy_number"} <= imt["optional fields"]
    assert "post_payment 409" in imt["statuses"]


def test_a_recorded_exchange_exercises_its_own_items() -> None:
    tccs = load_contract("tccs")
    guid = next(e for e in tccs.exchanges if e.id == "tccs-quote-deposit-guid-design")
    items = exercised(tccs, guid)
    assert items["operations"] == {"Pay_Input"} and items["grammar variants"] == {"Pay_Input quote with payment_guid"}
    assert items["statuses"] == {"Pay_Input 200"} and items["return codes"] == {"Pay_Input Success"}


def test_the_report_splits_exercised_from_never() -> None:
    tccs = load_contract("tccs")
    collector = CoverageCollector()
    collector.add("rtdr", [e for e in tccs.exchanges if e.operation == "ARState_Output"])
    report = coverage_report(json.loads(collector.dumps()), ["tccs"])["tccs"]
    assert report["operations"]["exercised"] == {"ARState_Output": ["rtdr"]}
    assert "Pay_Input" in report["operations"]["never"] and "ARState_Output" not in report["operations"]["never"]
    assert "  tccs              1/6" in format_table({"tccs": report})


def run(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "partnersim", "run", str(folder), *args], cwd=folder.parent,
                          capture_output=True, text=True, timeout=240)


def test_run_coverage_under_xdist_lists_exercised_and_never_exercised(tmp_path: Path) -> None:
    folder = tmp_path / "cases"
    folder.mkdir()
    for name in ("payment_account_level_a", "payment_policy_level_p", "rtdr_unknown_account_nonefound"):
        shutil.copy(CATALOG / "sapiens" / f"{name}.yaml", folder)
    out = tmp_path / "coverage.json"
    done = run(folder, "-n", "2", "--coverage-file", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "contract coverage" in done.stdout and "sapiens allocation levels never:" in done.stdout
    report = json.loads(out.read_text())["partners"]
    assert list(report) == ["sapiens"]  # the partners the scenarios talked to
    levels = report["sapiens"]["allocation levels"]
    assert levels["exercised"] == {"post_payment dbAllocLevel A": ["payment_account_level_a"],
                                   "post_payment dbAllocLevel P": ["payment_policy_level_p"]}
    assert levels["never"] == [f"post_payment dbAllocLevel {x}" for x in "CINS"]
    codes = report["sapiens"]["return codes"]
    assert codes["exercised"]["account_balance NONEFOUND"] == ["rtdr_unknown_account_nonefound"]
    assert "post_payment FAILURE" in codes["never"]
    operations = report["sapiens"]["operations"]
    assert set(operations["exercised"]) == {"account_balance", "post_payment"} and "reverse_payment" in operations["never"]


def test_run_coverage_in_one_process_covers_grammar_variants(tmp_path: Path) -> None:
    folder = tmp_path / "cases"
    folder.mkdir()
    for name in ("bill_image", "payment_ach"):
        shutil.copy(CATALOG / "tccs" / f"{name}.yaml", folder)
    out = tmp_path / "coverage.json"
    done = run(folder, "--coverage-file", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    tccs = json.loads(out.read_text())["partners"]["tccs"]
    assert {"Retrieve_Bill_Image", "Pay_Input"} <= set(tccs["operations"]["exercised"])
    assert "Recurring_Pay" in tccs["operations"]["never"]
    variants = tccs["grammar variants"]
    assert any(v.startswith("Pay_Input payment ") for v in variants["exercised"])
    assert "Pay_Input quote with payment_guid" in variants["never"]
