"""``partnersim verify --against``: provider verification against the sandbox, clean and deliberately drifted."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest
import requests

from contracts import Exchange, load_contract, partner_names
from contracts.tccs import HERE as TCCS_HERE
from partnersim.cli import main
from simulators import ServerThread
from tests.conftest import journal

pytestmark = pytest.mark.network


def verify(server: ServerThread, partner: str, *extra: str) -> int:
    return main(["verify", "--partner", partner, "--against", f"{server.url}/{partner}", *extra])


def fault(server: ServerThread, plan: dict[str, Any]) -> None:
    answer = requests.post(f"{server.url}/__admin/faults", json=plan)
    assert answer.status_code == 201, answer.text


@pytest.mark.parametrize("partner", partner_names())
def test_each_partner_verifies_clean_against_the_sandbox(live: ServerThread, partner: str,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert verify(live, partner, "--format", "json") == 0
    report = json.loads(capsys.readouterr().out)
    replayed = [e for e in report["exchanges"] if e["replayed"]]
    assert report["drift"] == 0 and replayed, report
    safe = {op.name for op in load_contract(partner).operations() if op.safe}
    assert safe & {e["operation"] for e in replayed}  # the read-only operations were exercised


def test_the_safe_flags_of_tccs_and_sapiens_searches() -> None:
    tccs = {op.name: op.safe for op in load_contract("tccs").operations()}
    assert tccs["ARState_Output"] and tccs["Retrieve_Bill_Image"] and not tccs["Pay_Input"]
    sapiens = {op.name: op.safe for op in load_contract("sapiens").operations()}
    assert sapiens["account_balance"] and sapiens["remit_search"] and not sapiens["post_payment"]


def test_a_drifted_answer_is_reported_in_the_partners_terms(live: ServerThread, capsys: pytest.CaptureFixture[str]) -> None:
    fault(live, {"partner": "tccs", "operation": "ARState_Output", "status": 200, "content_type": "application/json",
                 "body": json.dumps({"Status": "Success", "InvoiceNumber": "454100010-06/16/2020", "RecordBal": 125,
                                     "TotalBalance": "480.00"})})
    assert verify(live, "tccs") == 1
    out = capsys.readouterr().out
    assert "DRIFT tccs-rtdr-design" in out
    assert "tccs.ARState_Output: response /RecordBal: expected type string, found int 125" in out
    assert "ok    tccs-bill-image-design" in out and "DRIFT: 1 difference(s)" in out


def test_a_malformed_sapiens_answer_and_a_changed_return_code_are_drift(live: ServerThread,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    fault(live, {"partner": "sapiens", "operation": "account_balance", "corrupt": "malformed", "times": 2})
    fault(live, {"partner": "sapiens", "operation": "remit_search", "answer": {"return_code": "FAILURE"}})
    assert verify(live, "sapiens", "--format", "json") == 1
    report = {e["id"]: e for e in json.loads(capsys.readouterr().out)["exchanges"]}
    malformed = report["sapiens-account-balance"]["violations"]
    assert any(v["location"] == "response envelope" and "well-formed XML" in v["expected"] for v in malformed)
    code = report["sapiens-remit-search-as-written"]["violations"]
    assert code == [{"location": "response header TransResult/ReturnCode", "expected": "NONEFOUND", "found": "FAILURE",
                     "contract": "sapiens-remit-search-as-written",
                     "message": "the outcome the recorded exchange answers"}]
    assert report["sapiens-policy-balance"]["violations"] == []


def test_a_changed_status_is_drift(live: ServerThread, capsys: pytest.CaptureFixture[str]) -> None:
    fault(live, {"partner": "imt", "operation": "rtdr_v2", "status": 503})
    assert verify(live, "imt") == 1
    out = capsys.readouterr().out
    assert "imt.rtdr_v2: status: expected 200, found 503" in out


def test_a_tightened_contract_finds_drift_in_the_same_answers(live: ServerThread, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "tccs"
    shutil.copytree(TCCS_HERE, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    document = folder / "openapi.yaml"
    text = document.read_text()
    assert 'pattern: "^-?[0-9]+[.][0-9]{2}$"' in text
    document.write_text(text.replace('pattern: "^-?[0-9]+[.][0-9]{2}$"', 'pattern: "^-?[0-9]+[.][0-9]{3}$"'))
    assert verify(live, "tccs", "--contract-dir", str(folder)) == 1
    out = capsys.readouterr().out
    assert "tccs.ARState_Output: response /RecordBal:" in out and "'125.00' does not match" in out
    assert verify(live, "tccs") == 0  # the shipped contract still holds


def test_an_unreachable_partner_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert main(["verify", "--partner", "tccs", "--against", f"http://127.0.0.1:{port}/tccs", "--timeout", "2"]) == 2
    assert "the partner did not answer" in capsys.readouterr().err


def test_wrong_credentials_are_drift(live: ServerThread, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    creds = tmp_path / "creds.yaml"
    creds.write_text("password: not-the-password\n")
    assert verify(live, "imt", "--credentials", str(creds)) == 1
    out = capsys.readouterr().out
    assert "imt.token: status: expected 200, found 401" in out
    assert "needs <JWT>, which no recorded exchange obtained" in out


def test_writes_are_refused_without_allow_writes(live: ServerThread, capsys: pytest.CaptureFixture[str]) -> None:
    assert verify(live, "tccs") == 0
    out = capsys.readouterr().out
    assert "skip  tccs-pay-input-design (tccs.Pay_Input): Pay_Input writes to the partner" in out
    assert {e["operation"] for e in journal(live)} == {"ARState_Output", "Retrieve_Bill_Image"}


def test_writes_are_limited_to_the_fixture_identifiers(live: ServerThread, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    fixtures = tmp_path / "fixtures.yaml"
    fixtures.write_text("identifiers: [454100010-03/01/2019]\n")
    assert verify(live, "tccs", "--allow-writes", "--fixtures", str(fixtures)) == 0
    out = capsys.readouterr().out
    assert "ok    tccs-pay-input-design (tccs.Pay_Input)" in out
    assert ("skip  tccs-quote-deposit-design (tccs.Pay_Input): refused: Pay_Input would write to contentInfo invoice "
            "'Q454100010-03/01/2019', which the fixture file does not list") in out
    written = [e for e in journal(live) if e["operation"] not in ("ARState_Output", "Retrieve_Bill_Image")]
    tccs = load_contract("tccs")
    sent = {tccs.field(Exchange.from_dict(e).request, "contentInfo invoice") for e in written}
    assert written and sent == {"454100010-03/01/2019"}


@pytest.mark.parametrize("extra", [
    ["--allow-writes"],
    ["--fixtures", "f.yaml"],
    ["--host", "nonsense"],
])
def test_usage_errors_exit_2(live: ServerThread, extra: list[str]) -> None:
    assert verify(live, "tccs", *extra) == 2


def test_against_needs_one_partner_and_credentials_known_keys(live: ServerThread, tmp_path: Path) -> None:
    assert main(["verify", "--against", live.url]) == 2
    assert main(["verify", "--credentials", "x.yaml"]) == 2  # only with --against
    creds = tmp_path / "creds.yaml"
    creds.write_text("passwd: x\n")
    assert verify(live, "imt", "--credentials", str(creds)) == 2
