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

import json
import urllib.request
from pathlib import Path

from _sandbox import UpProcess, load_arguments, lua, measure

args = load_arguments(lambda parser: parser.add_argument(
    "--invoices", type=int, default=1000, help="policies the payments go round (default 1000)"))

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
seed = {"accounts": [{"account_number": f"B{i:05d}", "name": f"Bench {i}", "billing": "open_item",
                      "invoices": [{"invoice_number": f"B{i:05d}-12/31/2026", "invoice_date": "2026-12-31",
                                    "total": "1000000.00"}]} for i in range(1, args.invoices + 1)]}
urllib.request.urlopen(urllib.request.Request(f"{up.url}/__admin/seed?partner=tccs", data=json.dumps(seed).encode(),
                                              headers={"Content-Type": "application/json"})).close()


def script(run: str) -> Path:
    # Each run its own GUIDs: a later run posts again, it never answers Duplicate.
    return lua(f"{run}.lua", f'RUN = "{run}"\nINVOICES = {args.invoices}\n' + SCRIPT)


try:
    measure(f"TCCS Pay_Input (fresh PaymentGUID each, {args.invoices} invoices)", url, script, args)
    # The GUIDs are fresh: the last answers are postings, none a Duplicate (which would be a cheaper request).
    with urllib.request.urlopen(f"{up.url}/__admin/journal?operation=tccs.Pay_Input&limit=500") as answer:
        entries = json.load(answer)["entries"]
    statuses = [json.loads(e["response"]["body"])["Status"] for e in entries]
    print(f"the last {len(statuses)} answers: {statuses.count('Success')} Success, "
          f"{statuses.count('Duplicate')} Duplicate")
finally:
    up.stop()
