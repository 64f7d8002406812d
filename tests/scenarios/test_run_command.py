"""``partnersim run`` and the pytest plugin, in a subprocess as CI runs them (xdist workers are processes).

Each run works on a temporary copy of a few catalogue scenarios, so the tests stay fast and write
nothing next to the real catalogue.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from partnersim.cli import main
from partnersim.commands.run import pytest_args
from scenarios import CATALOG

IMT = CATALOG / "imt"

FIXTURE_TESTS = '''
import requests
from simulators.ledger import Ledger


def test_reset_before_each_test(partnersim):
    state = requests.get(f"{partnersim.url}/__admin/state?partner=imt", timeout=5).json()
    assert len(state["imt"]["accounts"]) == 3


def test_a_sandbox_bug_fails_the_test_that_caused_it(partnersim, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("ledger bug")

    monkeypatch.setattr(Ledger, "balance", broken)
    assert requests.get(f"{partnersim.url}/__admin/state", timeout=5).status_code == 500
'''


def partnersim(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "partnersim", "run", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def copy(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "cases"  # not "scenarios": with an editable install a folder of that name in the cwd would shadow the package
    folder.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(IMT / name, folder / name)
    return folder


def test_all_passed_is_exit_0(tmp_path: Path) -> None:
    folder = copy(tmp_path, "autopay_set.yaml", "bill_fetch.yaml")
    done = partnersim(folder, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout


def test_a_malformed_scenario_is_exit_2_naming_file_and_line(tmp_path: Path) -> None:
    folder = copy(tmp_path, "bill_fetch.yaml")
    broken = folder / "broken.yaml"
    broken.write_text((IMT / "autopay_set.yaml").read_text().replace("  - call: set_autopay", "  - cal: set_autopay"))
    done = partnersim(folder, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{broken.name}:6: steps[0].cal: unknown step kind 'cal'" in done.stdout


def test_under_xdist_each_worker_has_its_own_sandbox_and_failures_show_both_exchanges(tmp_path: Path) -> None:
    folder = copy(tmp_path, "autopay_set.yaml", "bill_fetch.yaml", "payment_card.yaml", "credit_void.yaml")
    failing = folder / "payment_card.yaml"
    failing.write_text(failing.read_text().replace("payment_method: CREDIT_CARD", "payment_method: EFT"))
    (folder / "settings.yaml").write_text("version: 1\nname: unrelated YAML, not a scenario\n")
    (folder / "test_fixtures.py").write_text(FIXTURE_TESTS)
    report = tmp_path / "out" / "junit.xml"
    done = partnersim(folder, "-n", "2", "-v", "--junit-xml", report, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "[gw0]" in done.stdout and "[gw1]" in done.stdout, "both workers ran scenarios"
    cases = {case.get("name"): case for case in ET.parse(report).getroot().iter("testcase")}
    assert sorted(cases) == ["autopay_set", "bill_fetch", "credit_void", "payment_card",
                             "test_a_sandbox_bug_fails_the_test_that_caused_it", "test_reset_before_each_test"]
    failed = sorted(name for name, case in cases.items() if case.find("failure") is not None or case.find("error") is not None)
    assert failed == ["payment_card", "test_a_sandbox_bug_fails_the_test_that_caused_it"]
    failure = cases["payment_card"].find("failure")
    assert failure is not None
    text = failure.text or ""
    assert "expected (scenario)" in text and "| received: journal #" in text
    assert "/data/attributes/payment_method: EFT" in text and '"payment_method": "CREDIT_CARD"' in text
    error = cases["test_a_sandbox_bug_fails_the_test_that_caused_it"].find("error")
    assert error is not None and "RuntimeError: ledger bug" in (error.text or "")


def test_a_missing_path_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(tmp_path / "nope")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_a_bad_worker_count_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["run", "-n", "many"])
    assert info.value.code == 2 and "expected a number of worker processes or 'auto'" in capsys.readouterr().err


def test_the_pytest_command_line(tmp_path: Path) -> None:
    args = argparse.Namespace(paths=[], workers="2", junit_xml=tmp_path / "j.xml", keyword="payment", verbose=0)
    argv = pytest_args(args, CATALOG)
    assert argv[0] == str(CATALOG), "the shipped catalogue by default"
    assert argv[1:6] == ["-p", "no:cacheprovider", "-W", "ignore::pytest.PytestAssertRewriteWarning", "-q"]
    assert argv[-6:] == ["-n", "2", "--junit-xml", str(tmp_path / "j.xml"), "-k", "payment"]
