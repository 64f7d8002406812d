"""RTDR v2 GET on the IMT simulator (contract checks and journal on) under wrk. Run by hand.

    .venv/bin/python bench/rtdr_load.py [seconds] [--workers N]

Needs ``wrk`` (Debian: apt-get install wrk). The load generator shares the two cores with the server.
Prints requests/s and p50/p99 at 16 and 64 connections, then resident memory after a minute of load.
"""

from __future__ import annotations

from _sandbox import UpProcess, load_arguments, lua, measure, wrk

args = load_arguments(lambda parser: parser.add_argument(
    "--soak", type=int, default=60, help="seconds of load before reading memory"))

up = UpProcess("--workers", args.workers, "--threads", args.threads)
try:
    script = lua("auth.lua", f'wrk.headers["Authorization"] = "{up.token()}"\n')
    url = f"{up.url}/imt/billing/api/v2/accounts/ACCT0001/?customer_username=pat"
    measure("RTDR v2", url, script, args)
    if args.soak:
        wrk(url, script, 16, args.soak, args.wrk_threads)
        print(f"resident memory after {args.soak} s of load: {up.rss_mib():.0f} MiB (server and workers)")
finally:
    up.stop()
