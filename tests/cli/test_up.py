"""``partnersim up`` as a user runs it: a real process, gunicorn workers, a state file, Ctrl-C."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

UP = str(Path(sys.executable).with_name("partnersim"))


def _start(state: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([UP, "up", "--port", "0", "--state", str(state)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:  # the banner is printed once the server listens: a readiness check
        found = re.search(r"ready on (http://127\.0\.0\.1:\d+)", line)
        if found:
            return proc, found.group(1)
    raise AssertionError(f"partnersim up never said it was ready (exit {proc.wait()})")


def _stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0, out
    return out


@pytest.mark.network
def test_up_serves_prints_its_urls_stops_on_ctrl_c_and_keeps_state(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite3"
    proc, base = _start(state)
    try:
        assert requests.get(f"{base}/__admin/health", timeout=5).json()["status"] == "ok"
        token = requests.post(f"{base}/imt/users/api/v1/tokens/", timeout=5,
                              headers={"Content-Type": "application/vnd.api+json"},
                              json={"data": {"type": "Token", "attributes": {"username_or_email": "sandbox",
                                                                             "password": "sandbox"}}})
        auth = {"Authorization": token.json()["data"]["attributes"]["auth"],
                "Content-Type": "application/vnd.api+json"}
        paid = requests.post(f"{base}/imt/billing/api/v1/accounts/ACCT0001/payments/UP-1/post/", headers=auth,
                             timeout=5, json={"data": {"type": "Payment", "attributes": {
                                 "invoice_number": "DIRINV-2026-11-01-ACCT0001-1", "payment_amount": 50,
                                 "payment_date": "2026-11-20", "payment_method": "EFT"}}})
        assert paid.status_code == 200
    finally:
        out = _stop(proc)
    assert "stopped (state kept in" in out
    proc, base = _start(state)  # a restart on the same file: the payment is still there
    try:
        account = requests.get(f"{base}/__admin/state", params={"partner": "imt"}, timeout=5).json()["imt"]["accounts"][0]
        assert account["balance"]["total_due"] == "1200.00"
        assert [p["payment_id"] for p in account["payments"]] == ["UP-1"]
    finally:
        _stop(proc)
