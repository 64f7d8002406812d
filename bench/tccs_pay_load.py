"""TCCS ``Pay_Input`` (the payment data pump, design 002) under wrk. Run by hand.

    .venv/bin/python bench/tccs_pay_load.py [seconds] [--workers N] [--threads N] [--wrk-threads N]

Every request is a new payment: wrk's Lua ``request()`` writes a fresh PaymentGUID into each body
(``contentInfo=B00042-12/31/2026|1.00:CC@bench-<run>-<thread>-<n>``), so each one goes the whole way: the
form and its ``contentInfo`` grammar checked (contract checks on), the credentials, the duplicate look-up,
a write transaction that posts and allocates the payment, and the journal row. The payments go round
``--invoices`` policies seeded for the run (default 1000, one invoice each, 1,000,000.00 owed): the ledger
sums an invoice's allocations to find what it owes, so piling every payment on one invoice measures that
sum growing rather than the sandbox (``--invoices 1`` shows it). Needs ``wrk`` (Debian: apt-get install
wrk). The load generator shares the two cores with the server.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import urllib.request
from pathlib import Path

from _sandbox import UpProcess, wrk

parser = argparse.ArgumentParser()
parser.add_argument("seconds", nargs="?", type=int, default=10)
parser.add_argument("--workers", default="2")
parser.add_argument("--threads", default="2")
parser.add_argument("--wrk-threads", default="1", help="load generator threads (default 1: it shares the cores)")
parser.add_argument("--invoices", type=int, default=1000, help="policies the payments go round (default 1000)")
args = parser.parse_args()

# One counter per wrk thread, and the thread's number in every GUID: no two requests share a GUID.
SCRIPT = """
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local n = 0
function request()
  n = n + 1
  local invoice = string.format("B%05d-12/31/2026", (tid * 7919 + n) % INVOICES + 1)
  local body = "consumerGUID=SANDBOX&entryKey=sandbox&contentInfo=" .. invoice .. "%7C1.00%3ACC%40bench-"
    .. RUN .. "-" .. tid .. "-" .. n
  return wrk.format("POST", nil, {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
"""

up = UpProcess("--workers", args.workers, "--threads", args.threads)
url = f"{up.url}/tccs/invoicecloudapi/api/Pay_Input"
folder = Path(tempfile.mkdtemp())
seed = {"accounts": [{"account_number": f"B{i:05d}", "name": f"Bench {i}", "billing": "open_item",
                      "invoices": [{"invoice_number": f"B{i:05d}-12/31/2026", "invoice_date": "2026-12-31",
                                    "total": "1000000.00"}]} for i in range(1, args.invoices + 1)]}
urllib.request.urlopen(urllib.request.Request(f"{up.url}/__admin/seed?partner=tccs", data=json.dumps(seed).encode(),
                                              headers={"Content-Type": "application/json"})).close()


def run(connections: int, seconds: int, label: str) -> dict[str, str]:
    script = folder / f"{label}.lua"
    # Each run its own GUIDs: a later run posts again, it never answers Duplicate.
    script.write_text(f'RUN = "{label}"\nINVOICES = {args.invoices}\n' + SCRIPT)
    return wrk(url, script, connections, seconds, args.wrk_threads)


try:
    run(16, 2, "warm")
    for c in (16, 64):
        r = run(c, args.seconds, f"c{c}")
        print(f"TCCS Pay_Input (fresh PaymentGUID each, {args.invoices} invoices), {c} connections, "
              f"workers={args.workers} threads={args.threads}: "
              f"{float(r['rps']):.0f} req/s, p50 {r['p50']}, p99 {r['p99']}, non-2xx {r['errors']}")
    # The GUIDs are fresh: the last answers are postings, none a Duplicate (which would be a cheaper request).
    with urllib.request.urlopen(f"{up.url}/__admin/journal?operation=tccs.Pay_Input&limit=500") as answer:
        entries = json.load(answer)["entries"]
    statuses = [json.loads(e["response"]["body"])["Status"] for e in entries]
    print(f"the last {len(statuses)} answers: {statuses.count('Success')} Success, "
          f"{statuses.count('Duplicate')} Duplicate")
finally:
    up.stop()
