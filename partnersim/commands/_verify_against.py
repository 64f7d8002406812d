"""``partnersim verify --against BASE_URL``: the command line of provider verification (``partnersim.provider``)."""

from __future__ import annotations

import argparse
import json
import sys

from contracts import load_contract, load_contract_from
from partnersim.provider import ProviderVerifier, load_credentials, load_fixtures

EXIT_OK, EXIT_DRIFT, EXIT_USAGE = 0, 1, 2


def _usage(message: str) -> int:
    print(f"partnersim verify: {message}", file=sys.stderr)
    return EXIT_USAGE


def run_against(args: argparse.Namespace) -> int:
    from simulators import Credentials

    if len(args.partner or []) != 1:
        return _usage("--against needs exactly one --partner (the partner BASE_URL serves)")
    if args.exchanges:
        return _usage("--against replays the contract's recorded exchanges; --exchanges is not taken with it")
    if args.allow_writes and args.fixtures is None:
        return _usage("--allow-writes needs --fixtures FILE listing the identifiers the writes may name "
                      "({identifiers: [...]}, YAML)")
    if args.fixtures is not None and not args.allow_writes:
        return _usage("--fixtures only with --allow-writes (without it no write is replayed)")
    if not args.against.startswith(("http://", "https://")):
        return _usage(f"--against expects an http(s) URL such as http://127.0.0.1:8700/{args.partner[0]}, "
                      f"found {args.against!r}")
    hosts: dict[str, str] = {}
    for pair in args.host:
        name, sep, url = pair.partition("=")
        if not sep or not name or not url.startswith(("http://", "https://")):
            return _usage(f"--host expects NAME=URL such as users=https://users.partner.example, found {pair!r}")
        hosts[name] = url
    partner = args.partner[0]
    contract = load_contract_from(partner, args.contract_dir) if args.contract_dir else load_contract(partner)
    verifier = ProviderVerifier(
        contract, args.against, load_credentials(args.credentials, Credentials().to_dict()), hosts=hosts,
        allow_writes=args.allow_writes, fixtures=load_fixtures(args.fixtures) if args.fixtures else frozenset(),
        timeout=args.timeout)
    report = verifier.verify()  # VerifyConnectionError is a HarnessError: the CLI prints it and exits 2
    if args.format == "json":
        json.dump(report.to_dict(), sys.stdout, indent=2)
        print()
    else:
        for line in report.lines():
            print(line)
        print(f"\n{'DRIFT' if report.drift else 'OK'}: {report.drift} difference(s) from the contract")
    return EXIT_DRIFT if report.drift else EXIT_OK
