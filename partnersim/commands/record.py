"""``partnersim record``: a recording proxy in front of a partner (QA, production, or the sandbox)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from contracts import Redactor, partner_names

DEFAULT_PORT = 8701


def register(sub: Any) -> None:
    p = sub.add_parser(
        "record", help="record a partner's exchanges through a proxy",
        description="Forward every request to --target and answer what it answers; write each exchange (secrets "
                    "scrubbed) as <nnn>_<operation>.yaml in --out and print contract violations as they pass. "
                    "Point the biller's URLs at the proxy instead of the partner. Ctrl-C stops.")
    p.add_argument("--partner", required=True, choices=partner_names(), help="whose contract the exchanges follow")
    p.add_argument("--target", required=True, metavar="URL",
                   help="the partner's base URL; the path below the proxy's root is appended to it "
                        "(e.g. http://127.0.0.1:8700/tccs, or a partner's QA host)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"0 picks a free port (default {DEFAULT_PORT})")
    p.add_argument("--out", type=Path, default=Path("recording"), metavar="DIR",
                   help="folder for the exchange files (default ./recording; numbering continues after files there)")
    p.add_argument("--scrub-names", action="store_true",
                   help="also scrub account holders' names (fullName, CustomerName, TCCS insured name, Sapiens payer)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the target (default 60)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from simulators.appserver import serve_until_interrupted
    from simulators.proxy import RecordingProxy
    from simulators.registry import partner_simulators

    if not args.target.startswith(("http://", "https://")):
        print(f"partnersim record: --target must be an http:// or https:// URL, found {args.target!r}", file=sys.stderr)
        return 2
    sim = partner_simulators([args.partner])[args.partner]
    redactor = Redactor.with_names() if args.scrub_names else Redactor()

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    proxy = RecordingProxy(sim, args.target, args.out, redactor=redactor, log=log, timeout=args.timeout)

    def ready(url: str) -> None:
        print(f"partnersim record ready on {url} -> {proxy.target}  (partner {args.partner}; exchanges to "
              f"{args.out}/; Ctrl-C stops)", flush=True)

    serve_until_interrupted(proxy, args.host, args.port, ready)
    print(f"partnersim record stopped: {len(proxy.recorded)} exchange(s) written to {args.out}/", file=sys.stderr)
    return 0
