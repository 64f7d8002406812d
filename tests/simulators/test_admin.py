from __future__ import annotations

import requests

from simulators import ServerThread
from tests.conftest import Imt, journal


def test_health_names_the_partners(live: ServerThread) -> None:
    r = requests.get(f"{live.url}/__admin/health")
    assert r.status_code == 200 and r.json()["status"] == "ok" and "imt" in r.json()["partners"]


def test_reset_restores_the_demo_data_and_clears_the_journal(imt: Imt, live: ServerThread) -> None:
    imt.pay("PAY-R", 100)
    assert requests.post(f"{live.url}/__admin/reset").status_code == 200
    assert journal(live) == []
    assert imt.rtdr().json()["attributes"]["balance"] == 1250.0


def test_seed_json_replace_and_merge(imt: Imt, live: ServerThread) -> None:
    seed = {"imt": {"accounts": [{"account_number": "NEW1", "invoices": [
        {"invoice_number": "N-1", "invoice_date": "2026-11-15", "due_date": "2026-12-01", "total": "99.95"}]}]}}
    r = requests.post(f"{live.url}/__admin/seed", params={"mode": "replace"}, json=seed)
    assert r.status_code == 200 and r.json()["accounts"] == {"imt": 1}
    assert imt.rtdr("NEW1").json()["attributes"]["balance"] == 99.95
    assert imt.rtdr("ACCT0001").status_code == 404  # replace forgot the demo data


def test_a_bad_seed_is_a_clear_400_and_changes_nothing(imt: Imt, live: ServerThread) -> None:
    bad = {"imt": {"accounts": [{"account_number": "X", "invoices": [{"invoice_number": "I"}]}]}}
    r = requests.post(f"{live.url}/__admin/seed", json=bad)
    assert r.status_code == 400 and "accounts[0]" in r.json()["error"]
    assert imt.rtdr("X").status_code == 404
    r = requests.post(f"{live.url}/__admin/seed", json={"nobody": {}})
    assert r.status_code == 400 and "unknown partners" in r.json()["error"]


def test_journal_filters_and_clears(imt: Imt, live: ServerThread) -> None:
    imt.rtdr()
    imt.pay("PAY-F", 5)
    assert [e["operation"] for e in journal(live, operation="imt.post_payment")] == ["post_payment"]
    last = journal(live)[-1]
    one = requests.get(f"{live.url}/__admin/journal/{last['id']}")
    assert one.json()["operation"] == "post_payment"
    yaml_text = requests.get(f"{live.url}/__admin/journal/{last['id']}", params={"format": "yaml"}).text
    assert yaml_text.startswith("version: 1")
    assert requests.delete(f"{live.url}/__admin/journal").json()["removed"] == 3
    assert journal(live) == []
    assert requests.get(f"{live.url}/__admin/journal/999999").status_code == 404


def test_credentials_and_contracts_are_served(live: ServerThread) -> None:
    creds = requests.get(f"{live.url}/__admin/credentials").json()
    assert creds["username"] == "sandbox" and creds["tccs_consumer_guid"] == "SANDBOX"
    doc = requests.get(f"{live.url}/__admin/contracts/imt")
    assert doc.status_code == 200 and doc.text.startswith("openapi: 3.1.0")
    assert requests.get(f"{live.url}/__admin/contracts/nobody").status_code == 404


def test_clock_moves_and_resets(live: ServerThread) -> None:
    before = requests.get(f"{live.url}/__admin/clock").json()
    moved = requests.post(f"{live.url}/__admin/clock", json={"advance": 86400}).json()
    assert moved["offset"] == 86400 and moved["now"] - before["now"] >= 86400
    assert requests.post(f"{live.url}/__admin/clock", json={"advance": "soon"}).status_code == 400
    assert requests.post(f"{live.url}/__admin/clock", json={"reset": True}).json()["offset"] == 0


def test_state_survives_a_restart_on_a_file(tmp_path: object) -> None:
    from pathlib import Path

    from simulators import Sandbox

    path = Path(str(tmp_path)) / "state.sqlite3"
    with ServerThread(Sandbox(path)) as first:
        Imt(first.url).pay("PAY-P", 250)
    with ServerThread(Sandbox(path)) as second:
        assert Imt(second.url).rtdr().json()["attributes"]["balance"] == 1000.0


def test_seed_from_a_bif_makes_its_invoices_answerable(imt: Imt, live: ServerThread) -> None:
    from contracts.imt import HERE

    bif = (HERE / "sample.bif").read_text()
    r = requests.post(f"{live.url}/__admin/seed", params={"partner": "imt", "mode": "replace"}, data=bif,
                      headers={"Content-Type": "application/x-bif"})
    assert r.status_code == 200 and r.json()["invoices"] == 3
    attrs = imt.rtdr("ACCT0001").json()["attributes"]
    # Balance forward: the -2 invoice has it off, so the -1 invoice carries the account's balance.
    assert (attrs["balance"], attrs["bill_balance"]) == (936.0, 312.0)
    bill = imt.get("/api/v1/accounts/ACCT0001/invoices/", params={"document_date": "2024-07-12"})
    assert bill.status_code == 200 and bill.content.startswith(b"%PDF")


def test_a_bad_bif_seed_is_a_clear_400(live: ServerThread) -> None:
    r = requests.post(f"{live.url}/__admin/seed", params={"partner": "imt"}, data="1~FH|garbage",
                      headers={"Content-Type": "application/x-bif"})
    assert r.status_code == 400 and "line 1" in r.json()["error"]
