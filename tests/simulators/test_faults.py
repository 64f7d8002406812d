"""Fault plans on the IMT partner: each effect, the count, "apply it, then still post", the journal,
the admin API, and a reset (simulators/faults.py)."""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from werkzeug.test import Client

from simulators import Sandbox, ServerThread
from tests.conftest import IMT_MEDIA, Imt, journal

INVOICE = "DIRINV-2026-11-01-ACCT0001-1"


def add(server: ServerThread, **plan: Any) -> dict[str, Any]:
    r = requests.post(f"{server.url}/__admin/faults", json=plan)
    assert r.status_code == 201, r.text
    stored: dict[str, Any] = r.json()
    return stored


def faults(server: ServerThread) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = requests.get(f"{server.url}/__admin/faults").json()["faults"]
    return listed


def balance(imt: Imt) -> float:
    value: float = imt.rtdr().json()["attributes"]["balance"]
    return value


def payments(server: ServerThread) -> list[str]:
    accounts = requests.get(f"{server.url}/__admin/state", params={"partner": "imt"}).json()["imt"]["accounts"]
    return [p["payment_id"] for a in accounts for p in a["payments"]]


@pytest.fixture
def fake_sleep(live: ServerThread, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The delays the sandbox was asked to wait, without waiting them."""
    waited: list[float] = []
    monkeypatch.setattr(live.sandbox.wsgi, "sleep", waited.append)
    return waited


# -- status -----------------------------------------------------------------------------------------
def test_a_status_fault_answers_the_partners_own_error_once_and_the_partner_never_sees_it(
        imt: Imt, live: ServerThread) -> None:
    imt.token()  # the token call is another operation: untouched
    plan = add(live, partner="imt", operation="post_payment", status=503)
    assert plan["id"] and (plan["times"], plan["remaining"], plan["applied"]) == (1, 1, 0)
    r = imt.pay("PAY-1", 100)
    assert r.status_code == 503 and r.headers["Content-Type"] == IMT_MEDIA
    assert r.json()["errors"][0]["status"] == "503", "IMT's own JSON:API error answer"
    assert payments(live) == [] and balance(imt) == 1250.0, "the partner did not handle the request"
    assert imt.pay("PAY-1", 100).status_code == 200, "times defaults to 1"
    assert balance(imt) == 1150.0


def test_a_status_fault_with_its_own_body_and_content_type(imt: Imt, live: ServerThread) -> None:
    add(live, operation="imt.post_payment", status=502, body="<html>Bad gateway</html>", content_type="text/html")
    r = imt.pay("PAY-1", 100)
    assert (r.status_code, r.headers["Content-Type"], r.text) == (502, "text/html", "<html>Bad gateway</html>")


def test_then_answer_records_the_payment_and_still_fails_the_client(imt: Imt, live: ServerThread) -> None:
    add(live, partner="imt", operation="post_payment", status=500, then_answer=True)
    assert imt.pay("PAY-DUP", 100).status_code == 500
    assert payments(live) == ["PAY-DUP"] and balance(imt) == 1150.0, "the partner posted it"
    entry = journal(live, operation="imt.post_payment")[-1]
    assert re.fullmatch(r"fault \d+ applied: status 500; the partner had answered 200", entry["notes"])


# -- count ------------------------------------------------------------------------------------------
def test_times_n_applies_n_times_then_the_plan_is_spent(imt: Imt, live: ServerThread) -> None:
    plan = add(live, partner="imt", operation="rtdr_v2", status=504, times=2)
    assert [imt.rtdr().status_code for _ in range(3)] == [504, 504, 200]
    assert faults(live) == [{**plan, "remaining": 0, "applied": 2}], "a spent plan stays listed"


def test_times_null_applies_until_removed(imt: Imt, live: ServerThread) -> None:
    plan = add(live, partner="imt", operation="rtdr_v2", status=503, times=None)
    assert [imt.rtdr().status_code for _ in range(4)] == [503] * 4
    assert faults(live)[0]["remaining"] is None and faults(live)[0]["applied"] == 4
    assert requests.delete(f"{live.url}/__admin/faults/{plan['id']}").json() == {"status": "removed", "id": plan["id"]}
    assert imt.rtdr().status_code == 200
    assert requests.delete(f"{live.url}/__admin/faults/{plan['id']}").status_code == 404


def test_a_once_only_plan_is_applied_once_under_concurrent_requests(imt: Imt, live: ServerThread) -> None:
    add(live, partner="imt", operation="rtdr_v2", status=503)
    auth = imt.auth

    def rtdr(_: int) -> int:
        with requests.Session() as http:
            return http.get(f"{live.url}/imt/billing/api/v2/accounts/ACCT0001/", headers=auth,
                            params={"customer_username": "pat"}).status_code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(rtdr, range(24)))
    assert codes.count(503) == 1 and codes.count(200) == 23


# -- match ------------------------------------------------------------------------------------------
def test_a_plan_matches_its_partner_operation_and_body_text_only(imt: Imt, live: ServerThread) -> None:
    add(live, partner="sapiens", status=500, times=None)  # another partner
    add(live, partner="imt", operation="post_credit", status=500, times=None)  # another operation
    add(live, partner="imt", operation="post_payment", body_contains='"payment_amount": 77', status=503, times=None)
    assert imt.rtdr().status_code == 200
    assert imt.pay("PAY-1", 100).status_code == 200
    assert imt.pay("PAY-2", 77).status_code == 503


def test_a_form_body_is_searched_url_decoded(live: ServerThread) -> None:
    # No partner of this sandbox reads forms yet: the IMT token endpoint refuses one, after the fault look-up.
    add(live, partner="imt", body_contains="06/16/2020 | 24.00", status=503)
    form = {"contentInfo": "454100010-06/16/2020 | 24.00:CC"}
    r = requests.post(f"{live.url}/imt/users/api/v1/tokens/", data=form)
    assert r.status_code == 503
    assert "%2F" in journal(live)[-1]["request"]["body"], "the body on the wire was URL-encoded"


def test_operation_names_are_the_contracts_given_in_any_case_or_qualified(live: ServerThread) -> None:
    assert add(live, partner="imt", operation="POST_PAYMENT", status=503)["operation"] == "post_payment"
    plan = add(live, operation="imt.rtdr_v1", delay=1)
    assert (plan["partner"], plan["operation"], plan["delay"]) == ("imt", "rtdr_v1", 1.0)


# -- drop -------------------------------------------------------------------------------------------
def test_drop_closes_the_connection_without_an_answer(imt: Imt, live: ServerThread) -> None:
    add(live, partner="imt", operation="post_payment", drop=True)
    with pytest.raises(requests.ConnectionError):
        imt.pay("PAY-1", 100)
    assert payments(live) == [], "dropped before the partner saw it"
    entry = journal(live, operation="imt.post_payment")[-1]
    assert "response" not in entry and re.fullmatch(r"fault \d+ applied: drop \(connection closed without an answer\)",
                                                    entry["notes"])
    assert imt.pay("PAY-1", 100).status_code == 200, "the next request is served on a new connection"


def test_drop_after_the_partner_posted_is_the_duplicate_payment_case(imt: Imt, live: ServerThread) -> None:
    add(live, partner="imt", operation="post_payment", drop=True, then_answer=True)
    with pytest.raises(requests.ConnectionError):
        imt.pay("PAY-1", 100)
    assert payments(live) == ["PAY-1"] and balance(imt) == 1150.0


# -- delay ------------------------------------------------------------------------------------------
def test_a_delay_waits_then_answers_normally(imt: Imt, live: ServerThread, fake_sleep: list[float]) -> None:
    add(live, partner="imt", operation="post_payment", delay=2.5)
    r = imt.pay("PAY-1", 100)
    assert r.status_code == 200 and fake_sleep == [2.5]
    entry = journal(live, operation="imt.post_payment")[-1]
    assert entry["response"]["status"] == 200 and entry["notes"].endswith("applied: delay 2.5 s")
    assert "violations" not in entry, "a delayed answer is the partner's own, checked against its contract"


def test_a_delay_longer_than_the_clients_timeout_is_a_timeout(imt: Imt, live: ServerThread) -> None:
    add(live, partner="imt", operation="post_payment", delay=0.3, then_answer=True)
    body = {"data": {"type": "Payment", "attributes": {"invoice_number": INVOICE, "payment_amount": 100,
                                                       "payment_date": "2026-11-20", "payment_method": "EFT"}}}
    with pytest.raises(requests.Timeout):
        imt.post("/api/v1/accounts/ACCT0001/payments/PAY-LATE/post/", body, timeout=0.05)
    # The sandbox finishes the request after the client left: wait for its journal entry (bounded).
    deadline = time.monotonic() + 5
    while not journal(live, operation="imt.post_payment") and time.monotonic() < deadline:
        time.sleep(0.02)
    assert payments(live) == ["PAY-LATE"], "the partner posted it before the answer was held back"


def test_a_request_waiting_across_a_reset_is_abandoned(imt: Imt, live: ServerThread,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    add(live, partner="imt", operation="post_payment", delay=30)
    monkeypatch.setattr(live.sandbox.wsgi, "sleep", lambda seconds: live.sandbox.reset())
    r = imt.pay("PAY-1", 100)
    assert r.status_code == 503 and "reset while this request waited" in r.text
    assert payments(live) == [] and journal(live, operation="imt.post_payment") == [], "nothing reached the new state"


# -- the journal ------------------------------------------------------------------------------------
def test_the_journal_entry_names_the_fault_and_does_not_hold_its_answer_against_the_contract(
        imt: Imt, live: ServerThread) -> None:
    plan = add(live, partner="imt", operation="post_payment", status=418, body="no")
    imt.pay("PAY-1", 100)
    entry = journal(live, operation="imt.post_payment")[-1]
    assert entry["notes"] == f"fault {plan['id']} applied: status 418"
    assert entry["faults"] == [{"id": plan["id"], "partner": "imt", "operation": "post_payment",
                                "status": 418, "body": "no"}]
    assert "violations" not in entry


# -- admin ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("plan", "field", "says"), [
    ({"status": 503}, "partner", "missing"),
    ({"partner": "nobody", "status": 503}, "partner", "no partner 'nobody'"),
    ({"partner": "imt", "operation": "pay", "status": 503}, "operation", "imt has no operation 'pay'"),
    ({"partner": "imt", "operation": "sapiens.getAccount", "status": 503}, "operation", "an operation of 'sapiens'"),
    ({"partner": "imt"}, "effect", "exactly one effect"),
    ({"partner": "imt", "status": 503, "delay": 1}, "delay", "found status and delay"),
    ({"partner": "imt", "status": 99}, "status", "from 200 to 599"),
    ({"partner": "imt", "status": "503"}, "status", "the text '503'"),
    ({"partner": "imt", "delay": 0}, "delay", "more than 0"),
    ({"partner": "imt", "delay": 301}, "delay", "at most 300"),
    ({"partner": "imt", "drop": False}, "drop", "expected before"),
    ({"partner": "imt", "delay": 1, "body": "x"}, "body", "goes with a status effect"),
    ({"partner": "imt", "status": 503, "times": 0}, "times", "at least 1"),
    ({"partner": "imt", "status": 503, "then_answer": "yes"}, "then_answer", "true or false"),
    ({"partner": "imt", "status": 503, "body_contains": ""}, "body_contains", "non-empty"),
    ({"partner": "imt", "status": 503, "count": 2}, "count", "unknown field 'count'"),
    ([1, 2], "plan", "a JSON object"),
])
def test_a_bad_plan_is_a_400_naming_the_field_and_nothing_is_stored(live: ServerThread, plan: Any, field: str,
                                                                    says: str) -> None:
    r = requests.post(f"{live.url}/__admin/faults", json=plan)
    assert r.status_code == 400 and r.json()["field"] == field and says in r.json()["error"], r.text
    assert faults(live) == []


def test_a_body_that_is_not_json_is_a_400(live: ServerThread) -> None:
    r = requests.post(f"{live.url}/__admin/faults", data="status=503", headers={"Content-Type": "text/plain"})
    assert r.status_code == 400 and r.json()["field"] == "plan"


def test_list_clear_and_reset(imt: Imt, live: ServerThread) -> None:
    first = add(live, partner="imt", status=503, times=None)
    second = add(live, partner="sapiens", drop=True)
    assert [p["id"] for p in faults(live)] == [first["id"], second["id"]]
    assert requests.delete(f"{live.url}/__admin/faults").json() == {"status": "cleared", "removed": 2}
    assert faults(live) == [] and imt.rtdr().status_code == 200
    add(live, partner="imt", status=503, times=None)
    assert requests.post(f"{live.url}/__admin/reset").status_code == 200
    assert faults(live) == [] and imt.rtdr().status_code == 200, "a reset clears the plans"
    assert add(live, partner="imt", status=503)["id"] > second["id"], "an id is never reused"


# -- the store: workers, restarts, and no query while no plan is set --------------------------------
def _imt_rtdr(client: Client) -> int:
    token = client.post("/imt/users/api/v1/tokens/", content_type=IMT_MEDIA, data=json.dumps(
        {"data": {"type": "Token", "attributes": {"username_or_email": "sandbox", "password": "sandbox"}}}))
    auth = token.get_json()["data"]["attributes"]["auth"]
    return client.get("/imt/billing/api/v2/accounts/ACCT0001/?customer_username=pat",
                      headers={"Authorization": auth}).status_code


def test_workers_on_one_state_file_share_the_plans_and_a_restart_keeps_them(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    one, two = Sandbox(path), Sandbox(path, initialise=False)
    try:
        admin = Client(one)
        assert admin.post("/__admin/faults", json={"operation": "imt.rtdr_v2", "status": 503, "times": 2}).status_code == 201
        assert _imt_rtdr(Client(two)) == 503, "a plan set through one worker applies in another"
        assert _imt_rtdr(Client(one)) == 503
        assert _imt_rtdr(Client(two)) == 200, "the other worker saw the plan spent"
        admin.post("/__admin/faults", json={"operation": "imt.rtdr_v2", "status": 502})
    finally:
        one.ctx.store.close()
        two.ctx.store.close()
    again = Sandbox(path)
    try:
        assert _imt_rtdr(Client(again)) == 502, "the plan survived the restart"
    finally:
        again.ctx.store.close()


def test_no_plan_no_query() -> None:
    """The request path is benchmarked: while no plan is set, looking for one costs no query."""
    sandbox = Sandbox()
    seen: list[str] = []
    sandbox.ctx.store._connection().set_trace_callback(seen.append)
    client = Client(sandbox)
    assert _imt_rtdr(client) == 200
    assert len([s for s in seen if "fault_plans" in s]) == 1, "the first request fills this process's cache"
    seen.clear()
    for _ in range(3):
        assert _imt_rtdr(client) == 200
    assert not [s for s in seen if "fault_plans" in s]
    client.post("/__admin/faults", json={"partner": "sapiens", "status": 500})
    assert _imt_rtdr(client) == 200  # the change is read once
    seen.clear()
    for _ in range(3):
        assert _imt_rtdr(client) == 200
    assert not [s for s in seen if "fault_plans" in s], "a plan for another partner costs none either"
    sandbox.ctx.store.close()


# -- under gunicorn (partnersim up): the drop and the count across worker processes ----------------
@pytest.mark.network
def test_under_partnersim_up_drop_and_counts_hold_across_workers(tmp_path: Path) -> None:
    up = str(Path(sys.executable).with_name("partnersim"))
    proc = subprocess.Popen([up, "up", "--port", "0", "--state", str(tmp_path / "s.sqlite3"), "--workers", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    try:
        base = next(m.group(1) for line in proc.stdout
                    if (m := re.search(r"ready on (http://127\.0\.0\.1:\d+)", line)))
        imt = Imt(base)
        assert requests.post(f"{base}/__admin/faults", json={"operation": "imt.rtdr_v2", "status": 503, "times": 3},
                             timeout=5).status_code == 201

        def rtdr(_: int) -> int:
            with requests.Session() as http:  # a new connection each: the kernel spreads them over the workers
                return http.get(f"{base}/imt/billing/api/v2/accounts/ACCT0001/", headers=imt.auth, timeout=5,
                                params={"customer_username": "pat"}).status_code

        with ThreadPoolExecutor(4) as pool:
            codes = list(pool.map(rtdr, range(12)))
        assert codes.count(503) == 3
        requests.post(f"{base}/__admin/faults", json={"operation": "imt.rtdr_v2", "drop": True}, timeout=5)
        with pytest.raises(requests.ConnectionError):
            rtdr(0)
        assert rtdr(0) == 200
        imt.http.close()  # no keep-alive connection for the workers to wait on when stopping
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=20)
    assert "Traceback" not in out, out


def test_the_sqlite_table_is_created_on_an_existing_state_file(tmp_path: Path) -> None:
    """A state file from before fault plans gains the table when opened (CREATE TABLE IF NOT EXISTS)."""
    path = tmp_path / "old.sqlite3"
    Sandbox(path).ctx.store.close()
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE fault_plans")
    sandbox = Sandbox(path)
    try:
        assert Client(sandbox).get("/__admin/faults").get_json() == {"faults": []}
    finally:
        sandbox.ctx.store.close()
