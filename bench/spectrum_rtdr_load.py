"""Spectrum RTDR (``InvoiceBalanceDue``, design 001) under wrk, with a valid bearer JWT. Run by hand.

    .venv/bin/python bench/spectrum_rtdr_load.py [seconds] [--workers N]

Every request goes the whole way: the JWT verified against the sandbox clock, the query checked against the
contract, the ledger read, the answer checked and journalled. Needs ``wrk`` (Debian: apt-get install wrk).
The load generator shares the two cores with the server.
"""

from __future__ import annotations

import json
import urllib.request

from _sandbox import UpProcess, load_arguments, lua, measure

args = load_arguments()


def spectrum_token(base: str) -> str:
    """A JWT from /api/Token with the sandbox's credentials (token, username and password all ``sandbox``)."""
    body = json.dumps({"token": "sandbox", "username": "sandbox", "password": "sandbox"}).encode()
    req = urllib.request.Request(f"{base}/spectrum/wsSpectrumAPICore/api/Token", data=body,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return str(json.load(r)["data"]["attributes"]["token"])


up = UpProcess("--workers", args.workers, "--threads", args.threads)
try:
    script = lua("bearer.lua", f'wrk.headers["Authorization"] = "Bearer {spectrum_token(up.url)}"\n')
    measure("Spectrum InvoiceBalanceDue", f"{up.url}/spectrum/wsSpectrumAPICore/api/Invoice/InvoiceBalanceDue"
            "?invoiceNumber=30254", script, args)
finally:
    up.stop()
