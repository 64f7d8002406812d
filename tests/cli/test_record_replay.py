"""Record through the proxy, replay the recording, get the same adapter results; scenarios from both."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from adapters import Payment, create_adapter
from contracts import load_exchanges
from contracts.bif.model import Invoice
from partnersim.cli import main
from scenarios import run_scenario
from scenarios.billers import biller_settings
from simulators import ServerThread
from simulators.appserver import AppServerThread
from simulators.proxy import RecordingProxy
from simulators.registry import partner_simulators
from simulators.replay import ReplayApp

PARTNERSIM = str(Path(sys.executable).with_name("partnersim"))


@dataclass(frozen=True)
class Calls:
    """An RTDR and a payment of the partner's demo data."""

    invoice: Invoice
    payment_id: str
    amount: str
    method: str

    def run(self, partner: str, base_url: str) -> tuple[Any, Any]:
        adapter = create_adapter(partner, biller_settings(partner, {}, base_url))
        balance = adapter.refresh_balance([self.invoice])
        paid = adapter.post_payment(Payment(payment_id=self.payment_id, invoice=self.invoice, amount=Decimal(self.amount),
                                            paid_on=date(2026, 11, 20), method=self.method))
        return balance, paid


CALLS = {
    "imt": Calls(Invoice(account_number="ACCT0001", invoice_number="DIRINV-2026-11-01-ACCT0001-1",
                         invoice_date=date(2026, 11, 1), balance_forward=True, email="pat.example@example.test",
                         custom={1: "0417", 7: "INVOICECLOUDPOLICY"}),
                 "5f0c7f43-5c51-4d7c-9a55-2a6c3c1f0001", "100.00", "card"),
    "spectrum": Calls(Invoice(account_number="30254", invoice_number="30254", invoice_date=date(2026, 11, 1),
                              customer_name="Pat Example"), "3f2b9a4e-7c1d-4e8a-9b6f-0a1c2d3e4f50", "100.00", "card"),
    "tccs": Calls(Invoice(account_number="454100010", invoice_number="454100010-06/16/2020",
                          invoice_date=date(2020, 6, 16), customer_name="Pat Example"),
                  "e99fc166-9d990-4a99-bb16-99fe155ebf99", "24.00", "card"),
    "sapiens": Calls(Invoice(account_number="384300001", invoice_number="45405", invoice_date=date(2026, 9, 1),
                             custom={4: "45405", 5: "I", 6: "384300001", 7: "icInvoiceBalanceUpd", 8: "acctName",
                                     9: "384300001", 10: "BM_INVOICE_SRCH"}),
                    "7d1c5a90-0a11-4c3e-9d7e-i00000000001", "100.00", "ach"),
}


def _record(live: ServerThread, partner: str, out: Path, log: list[str], **kw: Any) -> Iterator[AppServerThread]:
    sim = partner_simulators([partner])[partner]
    with AppServerThread(RecordingProxy(sim, live.url, out, log=log.append, **kw)) as proxy:
        yield proxy


@pytest.mark.parametrize("partner", sorted(CALLS))
def test_a_recording_replays_to_the_same_adapter_results(live: ServerThread, partner: str, tmp_path: Path) -> None:
    log: list[str] = []
    for proxy in _record(live, partner, tmp_path, log):
        recorded = CALLS[partner].run(partner, proxy.url)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) >= 2 and all(re.fullmatch(r"\d{3}_\w+\.yaml", f) for f in files), files
    assert not any("unmatched" in f for f in files)
    assert log == []  # the sandbox keeps its own contract: nothing to report
    exchanges = [e for f in sorted(tmp_path.glob("*.yaml")) for e in load_exchanges(f)]
    assert all(e.source.startswith("recorded ") and e.source.endswith(f"from {live.url}") for e in exchanges)
    text = "".join(p.read_text() for p in tmp_path.iterdir())
    assert "<REDACTED>" in text or "%3CREDACTED%3E" in text or "&lt;REDACTED&gt;" in text

    app = ReplayApp(exchanges, log=log.append)
    live.sandbox.reset()  # the replay answers alone: the sandbox's ledger no longer holds the payment
    with AppServerThread(app) as replay:
        replayed = CALLS[partner].run(partner, replay.url)
    assert replayed == recorded
    assert app.unmatched() == []
    assert [entry.served for entry in app.journal] == [e.id for e in exchanges]


def test_the_proxy_prints_violations_live_and_keeps_them_in_the_exchange(live: ServerThread, tmp_path: Path) -> None:
    log: list[str] = []
    for proxy in _record(live, "tccs", tmp_path, log):
        answer = requests.post(f"{proxy.url}/tccs/invoicecloudapi/api/Pay_Input", timeout=5,
                               data={"consumerGUID": "SANDBOX", "entryKey": "sandbox",
                                     "contentInfo": "306-12/11/2019|24.0x:CC"})
        unknown = requests.post(f"{proxy.url}/tccs/invoicecloudapi/api/Pay_Inptu", timeout=5, data={"entryKey": "s"})
    assert answer.status_code == 400 and unknown.status_code == 404  # the sandbox's answers, passed on unchanged
    assert any(re.match(r"tccs\.Pay_Input 400: contentInfo amount: expected .*, found ", line) for line in log), log
    assert any(line.startswith("tccs (no operation) POST /api/Pay_Inptu 404") for line in log), log
    assert any("near miss tccs.Pay_Input" in line for line in log), log
    first, second = (load_exchanges(p)[0] for p in sorted(tmp_path.glob("*.yaml")))
    assert first.operation == "Pay_Input" and first.request.host == "invoicecloudapi"
    assert any(v.location == "contentInfo amount" for v in first.violations)
    assert "entryKey=%3CREDACTED%3E" in first.request.text and "sandbox" not in first.request.text
    assert sorted(p.name for p in tmp_path.iterdir())[1] == "002_unmatched.yaml"
    assert second.operation == "" and "nearest: tccs.Pay_Input" in second.notes


def test_names_are_scrubbed_when_asked(live: ServerThread, tmp_path: Path) -> None:
    from contracts import Redactor

    log: list[str] = []
    for proxy in _record(live, "tccs", tmp_path, log, redactor=Redactor.with_names()):
        requests.post(f"{proxy.url}/tccs/invoicecloudapi/api/Pay_Input", timeout=5,
                      data={"consumerGUID": "SANDBOX", "entryKey": "sandbox",
                            "contentInfo": "Q454100010-03/01/2019|Pat Example|50.00"})
    text = next(tmp_path.glob("*.yaml")).read_text()
    assert "Pat" not in text and "Q454100010-03/01/2019" in text


def test_an_unreachable_target_is_answered_502_in_the_partners_form(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    sim = partner_simulators(["imt"])["imt"]
    log: list[str] = []
    with AppServerThread(RecordingProxy(sim, dead, tmp_path, log=log.append, timeout=2)) as proxy:
        answer = requests.get(f"{proxy.url}/billing/api/v1/accounts/A/", timeout=5)
    assert answer.status_code == 502 and answer.json()["errors"][0]["status"] == "502"
    exchange = load_exchanges(next(tmp_path.glob("*.yaml")))[0]
    assert exchange.response is None and "gave no answer" in exchange.notes


# -- the commands, as a user runs them ----------------------------------------------------------------
def _start(*argv: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([PARTNERSIM, *argv, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()  # printed once the server accepts connections: a readiness check
    found = re.search(r"ready on (http://127\.0\.0\.1:\d+)", line)
    if not found:
        proc.kill()
        raise AssertionError(f"no readiness line: {line!r} {proc.communicate()}")
    return proc, found.group(1)


def _stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    return err


@pytest.mark.network
def test_record_and_replay_commands(live: ServerThread, tmp_path: Path) -> None:
    out = tmp_path / "rec"
    proc, proxy = _start("record", "--partner", "tccs", "--target", f"{live.url}/tccs", "--out", str(out))
    try:
        paid = requests.post(f"{proxy}/invoicecloudapi/api/pay_input", timeout=5,
                             data={"consumerGUID": "SANDBOX", "entryKey": "sandbox",
                                   "contentInfo": "306-12/11/2019|24.00:CC@abc-1"})
        bad = requests.post(f"{proxy}/invoicecloudapi/api/Pay_Input", timeout=5,
                            data={"consumerGUID": "SANDBOX", "entryKey": "sandbox", "contentInfo": "306|x"})
    finally:
        err = _stop(proc)
    assert paid.status_code == 200 and bad.status_code == 400
    assert "tccs.Pay_Input 400: contentInfo" in err
    assert "2 exchange(s) written" in err
    assert sorted(p.name for p in out.iterdir()) == ["001_Pay_Input.yaml", "002_Pay_Input.yaml"]

    proc, replay = _start("replay", str(out))
    try:
        # TCCS paths match without regard to case, as TCCS's own host does
        again = requests.post(f"{replay}/tccs/invoicecloudapi/api/PAY_INPUT", timeout=5,
                              data={"consumerGUID": "SANDBOX", "entryKey": "other", "contentInfo": "306-12/11/2019|24.00:CC@abc-1"})
        other = requests.post(f"{replay}/tccs/invoicecloudapi/api/Pay_Input", timeout=5,
                              data={"consumerGUID": "SANDBOX", "entryKey": "sandbox", "contentInfo": "306-12/11/2019|25.00:CC@abc-1"})
    finally:
        err = _stop(proc)
    assert again.status_code == 200 and again.json() == paid.json()
    assert other.status_code == 404
    assert "nearest 001_Pay_Input: form contentInfo: recorded '306-12/11/2019|24.00:CC@abc-1', received " \
           "'306-12/11/2019|25.00:CC@abc-1'" in other.json()["Message"]
    assert "UNMATCHED" in err and "1 unmatched" in err


@pytest.mark.network
def test_replay_of_journal_entries(live: ServerThread) -> None:
    CALLS["tccs"].run("tccs", live.url)
    entries = requests.get(f"{live.url}/__admin/journal", timeout=5).json()["entries"]
    proc, replay = _start("replay", "--journal", live.url, *(e["id"] for e in entries))
    try:
        live.sandbox.reset()
        assert CALLS["tccs"].run("tccs", replay) is not None
    finally:
        err = _stop(proc)
    assert "0 unmatched" in err


# -- scenarios from a journal slice and from a recording ----------------------------------------------
def _session(partner: str, base_url: str) -> None:
    """An adapter session: RTDR and payment, and for Spectrum a paperless change on its auth host too."""
    CALLS[partner].run(partner, base_url)
    if partner == "spectrum":
        adapter = create_adapter(partner, biller_settings(partner, {}, base_url))
        adapter.set_paperless("30254", True, "pat.example@example.test")


#: The operations of each partner's session, in order; token and session calls capture what they issue.
SESSIONS = {
    "imt": ["imt.token", "imt.rtdr_v2", "imt.post_payment"],
    "spectrum": ["spectrum.token", "spectrum.invoice_balance_due", "spectrum.online_receipt", "spectrum.sessions",
                 "spectrum.set_paperless"],
    "tccs": ["tccs.ARState_Output", "tccs.Pay_Input"],
    "sapiens": ["sapiens.invoice_balance", "sapiens.post_payment"],
}


@pytest.mark.parametrize("partner", sorted(SESSIONS))
def test_a_journal_slice_becomes_a_scenario_that_passes(live: ServerThread, partner: str, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    _session(partner, live.url)
    target = tmp_path / "from_journal.yaml"
    assert main(["scenario", "from-journal", "--url", live.url, "--credentials", "sandbox", "--out", str(target)]) == 0
    text = target.read_text()
    assert text.startswith("# Generated by partnersim") and "placeholder" in text
    doc = yaml.safe_load(text)
    assert "given" not in doc and all("request" in s["send"] for s in doc["steps"])
    assert [s["expect"]["exchanges"][0]["operation"] for s in doc["steps"]] == SESSIONS[partner]
    assert doc["steps"][-1]["expect"]["result"] == {"status": 200}
    assert "<REDACTED>" not in text.replace("<REDACTED> in a body", "")
    assert "sent without it" not in text  # every token and session is captured, none left out
    result = run_scenario(target, live)  # the scenario's own sandbox state: the demo data again
    result.raise_for_failures()
    captured = {name: value for step in result.steps for name, value in step.outcome.captured.items()}
    assert sorted(captured) == {"imt": ["token"], "spectrum": ["session", "token"]}.get(partner, [])
    for step in doc["steps"][1:]:
        headers = step["send"]["request"].get("headers", {})
        if partner == "imt":
            assert headers["Authorization"] == "{token}"
        elif partner == "spectrum":
            assert headers.get("Authorization", headers.get("Cookie")) in ("Bearer {token}", "sessionid={session}", None)
    if partner == "spectrum":
        assert doc["steps"][-1]["send"]["request"]["headers"]["Cookie"] == "sessionid={session}"


def test_a_recording_of_a_token_partner_becomes_a_scenario_that_passes(live: ServerThread, tmp_path: Path) -> None:
    log: list[str] = []
    for proxy in _record(live, "spectrum", tmp_path / "rec", log):
        _session("spectrum", proxy.url)
    target = tmp_path / "from_recording.yaml"
    assert main(["scenario", "from-recording", str(tmp_path / "rec"), "--credentials", "sandbox",
                 "--out", str(target)]) == 0
    assert [s["expect"]["exchanges"][0]["operation"] for s in yaml.safe_load(target.read_text())["steps"]] == \
        SESSIONS["spectrum"]
    run_scenario(target, live).raise_for_failures()


def test_a_recording_becomes_a_scenario(live: ServerThread, tmp_path: Path) -> None:
    log: list[str] = []
    for proxy in _record(live, "tccs", tmp_path / "rec", log):
        CALLS["tccs"].run("tccs", proxy.url)
    target = tmp_path / "from_recording.yaml"
    assert main(["scenario", "from-recording", str(tmp_path / "rec"), "--credentials", "sandbox",
                 "--out", str(target)]) == 0
    doc = yaml.safe_load(target.read_text())
    assert [s["expect"]["exchanges"][0]["operation"] for s in doc["steps"]] == ["tccs.ARState_Output", "tccs.Pay_Input"]
    run_scenario(target, live).raise_for_failures()
    kept = tmp_path / "placeholders.yaml"
    assert main(["scenario", "from-recording", str(tmp_path / "rec"), "--out", str(kept)]) == 0
    assert "entryKey=%3CREDACTED%3E" in kept.read_text()


def test_a_token_partner_scenario_says_what_it_cannot_carry(live: ServerThread, capsys: pytest.CaptureFixture[str]) -> None:
    CALLS["imt"].run("imt", live.url)
    assert main(["scenario", "from-journal", "--url", live.url, "--operation", "imt.rtdr_v2"]) == 0
    text = capsys.readouterr().out
    assert "token or session cookie" in text and "Authorization" in text
    assert "Authorization" not in yaml.safe_load(text)["steps"][0]["send"]["request"].get("headers", {})


def test_several_partners_in_a_journal_need_partner(live: ServerThread, capsys: pytest.CaptureFixture[str]) -> None:
    CALLS["tccs"].run("tccs", live.url)
    CALLS["sapiens"].run("sapiens", live.url)
    assert main(["scenario", "from-journal", "--url", live.url]) == 2
    assert "choose one with --partner" in capsys.readouterr().err
    assert main(["scenario", "from-journal", "--url", live.url, "--partner", "sapiens"]) == 0


def test_the_readme_commands_parse() -> None:
    """The README's record/replay/scenario commands are valid command lines (they cannot go stale)."""
    import shlex

    from partnersim.cli import build_parser

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Recording and replay", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    lines = [line.split("#", 1)[0] for block in blocks for line in block.replace("\\\n", " ").splitlines()]
    commands = [shlex.split(line)[1:] for line in lines if line.startswith("partnersim ")]
    assert {c[0] for c in commands} == {"record", "replay", "scenario", "run"}
    parser = build_parser()
    for argv in commands:
        parser.parse_args(argv)
