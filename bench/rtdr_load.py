"""RTDR v2 GET on the IMT simulator (contract checks and journal on) under wrk. Run by hand.

    .venv/bin/python bench/rtdr_load.py [seconds] [--workers N]

Needs ``wrk`` (Debian: apt-get install wrk). The load generator shares the two cores with the server.
Prints requests/s and p50/p99 at 16 and 64 connections, then resident memory after a minute of load.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _sandbox import UpProcess, wrk

parser = argparse.ArgumentParser()
parser.add_argument("seconds", nargs="?", type=int, default=10)
parser.add_argument("--workers", default="2")
parser.add_argument("--threads", default="2")
parser.add_argument("--wrk-threads", default="1", help="load generator threads (default 1: it shares the cores)")
parser.add_argument("--soak", type=int, default=60, help="seconds of load before reading memory")
args = parser.parse_args()

up = UpProcess("--workers", args.workers, "--threads", args.threads)
token = up.token()
script = Path(tempfile.mkdtemp()) / "auth.lua"
script.write_text(f'wrk.headers["Authorization"] = "{token}"\n')
url = f"{up.url}/imt/billing/api/v2/accounts/ACCT0001/?customer_username=pat"


def run(connections: int, seconds: int) -> dict[str, str]:
    return wrk(url, script, connections, seconds, args.wrk_threads)


try:
    run(16, 2)  # warm up
    for c in (16, 64):
        r = run(c, args.seconds)
        print(f"RTDR v2, {c} connections, workers={args.workers} threads={args.threads}: {float(r['rps']):.0f} req/s, "
              f"p50 {r['p50']}, p99 {r['p99']}, non-2xx {r['errors']}")
    if args.soak:
        run(16, args.soak)
        print(f"resident memory after {args.soak} s of load: {up.rss_mib():.0f} MiB (server and workers)")
finally:
    up.stop()
