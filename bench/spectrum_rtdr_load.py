"""Spectrum RTDR (``InvoiceBalanceDue``, design 001) under wrk, with a valid bearer JWT. Run by hand.

    .venv/bin/python bench/spectrum_rtdr_load.py [seconds] [--workers N]

Every request goes the whole way: the JWT verified against the sandbox clock, the query checked against the
contract, the ledger read, the answer checked and journalled. Needs ``wrk`` (Debian: apt-get install wrk).
The load generator shares the two cores with the server.
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
args = parser.parse_args()


def spectrum_token(base: str) -> str:
    """A JWT from /api/Token with the sandbox's credentials (token, username and password all ``sandbox``)."""
    body = json.dumps({"token": "sandbox", "username": "sandbox", "password": "sandbox"}).encode()
    req = urllib.request.Request(f"{base}/spectrum/wsSpectrumAPICore/api/Token", data=body,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return str(json.load(r)["data"]["attributes"]["token"])


up = UpProcess("--workers", args.workers, "--threads", args.threads)
script = Path(tempfile.mkdtemp()) / "bearer.lua"
script.write_text(f'wrk.headers["Authorization"] = "Bearer {spectrum_token(up.url)}"\n')
url = f"{up.url}/spectrum/wsSpectrumAPICore/api/Invoice/InvoiceBalanceDue?invoiceNumber=30254"


def run(connections: int, seconds: int) -> dict[str, str]:
    return wrk(url, script, connections, seconds, args.wrk_threads)


try:
    run(16, 2)  # warm up
    for c in (16, 64):
        r = run(c, args.seconds)
        print(f"Spectrum InvoiceBalanceDue, {c} connections, workers={args.workers} threads={args.threads}: "
              f"{float(r['rps']):.0f} req/s, p50 {r['p50']}, p99 {r['p99']}, non-2xx {r['errors']}")
finally:
    up.stop()
