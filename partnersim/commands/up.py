"""``partnersim up``: every partner on one port, with demo data, under a production WSGI server."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from simulators import Credentials, SandboxConfig
from simulators.registry import partner_simulators
from simulators.server import serve

DEFAULT_STATE = "partnersim-state.sqlite3"
THREADS = 2  # measured best on two cores: bench/README.md


def register(sub: Any) -> None:
    p = sub.add_parser("up", help="start the sandbox (all partners, one port)",
                       description="Serve every partner under one port with demo data; Ctrl-C stops.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8700, help="0 picks a free port (default 8700)")
    p.add_argument("--state", type=Path, default=Path(DEFAULT_STATE),
                   help=f"SQLite file that keeps the ledgers and journal across restarts (default ./{DEFAULT_STATE})")
    p.add_argument("--reset", action="store_true", help="start from the demo data, forgetting the saved state")
    p.add_argument("--no-demo", action="store_true", help="start with empty ledgers")
    p.add_argument("--workers", type=int, default=2, help="server worker processes (default 2)")
    p.add_argument("--threads", type=int, default=THREADS, help=f"threads per worker (default {THREADS})")
    p.add_argument("--credentials", type=Path, help="YAML/JSON file overriding the default credential set")
    p.add_argument("--token-ttl", type=int, default=3600, help="seconds a partner token lives (default 3600)")
    p.add_argument("--partner", action="append", help="serve only this partner (repeatable)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    creds = Credentials()
    if args.credentials:
        creds = Credentials.from_dict(yaml.safe_load(args.credentials.read_text()) or {})
    config = SandboxConfig(credentials=creds, token_ttl=args.token_ttl, demo=not args.no_demo)
    if args.reset:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.state}{suffix}").unlink(missing_ok=True)
    partners = partner_simulators(args.partner)

    def ready(base: str) -> None:
        lines = [f"partnersim sandbox ready on {base}  (state: {args.state}; Ctrl-C stops)", ""]
        endpoints = {name: sim.endpoints(base) for name, sim in partners.items()}
        width = max((len(op) for ops in endpoints.values() for op in ops), default=0)
        for name, sim in partners.items():
            lines.append(f"{sim.title or name}  {base}/{name}/")
            lines += [f"  {op:<{width}} {url}" for op, url in endpoints[name].items()]
        lines += ["", "credentials (GET /__admin/credentials):"]
        lines += [f"  {k:<20} {v}" for k, v in creds.to_dict().items()]
        lines += ["", f"admin API   {base}/__admin/health  reset  seed  state  journal  credentials  contracts/<partner>  clock  faults"]
        print("\n".join(lines), flush=True)

    try:
        serve(args.state, config, args.host, args.port, workers=args.workers, threads=args.threads, partners=args.partner, on_ready=ready)
    finally:  # gunicorn leaves by SystemExit after a clean shutdown
        print(f"partnersim sandbox stopped (state kept in {args.state})", file=sys.stderr)
    return 0
