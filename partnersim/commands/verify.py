"""``partnersim verify``: are the contracts valid documents, and does every recorded exchange conform?

With ``--against BASE_URL``, provider verification instead: the recorded requests are replayed against a
live partner environment and its answers checked against the contract (``partnersim.provider``).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from pathlib import Path

from contracts import ExchangeFormatError, HarnessError, Violation, load_contract, load_exchanges, partner_names


def register(sub: Any) -> None:
    p = sub.add_parser("verify", help="check contract documents and every recorded exchange",
                       description="Check that each partner's contract is a valid document and that every "
                                   "recorded exchange conforms to it. Exit 0 clean, 1 on any violation, 2 on a usage error.")
    p.add_argument("--partner", action="append", choices=partner_names(), help="only this partner (repeatable)")
    p.add_argument("--exchanges", action="append", type=Path, metavar="PATH",
                   help="check these exchange files (or folders of them) instead of the recorded ones; "
                        "needs exactly one --partner")
    p.add_argument("--format", choices=("text", "json"), default="text")
    live = p.add_argument_group(
        "provider verification", "replay the recorded requests against a live partner and check its answers: "
                                 "exit 0 clean, 1 drift, 2 usage or connection error")
    live.add_argument("--against", metavar="BASE_URL",
                      help="the partner's base URL (the sandbox's http://127.0.0.1:8700/tccs, a QA host); "
                           "needs exactly one --partner")
    live.add_argument("--credentials", type=Path, metavar="FILE",
                      help="YAML with the keys of the sandbox's GET /__admin/credentials (default: the sandbox's set)")
    live.add_argument("--allow-writes", action="store_true",
                      help="replay writes too, only those whose identifiers --fixtures lists")
    live.add_argument("--fixtures", type=Path, metavar="FILE",
                      help="YAML {identifiers: [...]}: the accounts, invoices, policies, payment ids a write may name")
    live.add_argument("--host", action="append", default=[], metavar="NAME=URL",
                      help="the base URL of one partner host (imt users, spectrum auth) when it is not "
                           "BASE_URL/NAME (repeatable)")
    live.add_argument("--contract-dir", type=Path, metavar="DIR",
                      help="check against the contract in DIR (a copy of contracts/<partner>/) instead of the shipped one")
    live.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS", help="per request (default 10)")
    p.set_defaults(func=run)


def _files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(path.glob("*.yaml")))
        elif path.exists():
            out.append(path)
        else:
            raise HarnessError(f"{path}: no such file or folder")
    return out


def verify_partner(partner: str, paths: list[Path] | None = None) -> dict[str, Any]:
    contract = load_contract(partner)
    report: dict[str, Any] = {"partner": partner, "document": [v.to_dict() for v in contract.document_violations()],
                              "exchanges": []}
    try:
        if paths:
            exchanges = []
            for path in _files(paths):
                for exchange in load_exchanges(path):
                    exchange.id = exchange.id or path.stem
                    exchanges.append(exchange)
        else:
            exchanges = contract.exchanges
    except ExchangeFormatError as exc:
        report["exchanges"].append({"id": "(unreadable)", "violations": [
            Violation("file", "an exchange in the exchange format", str(exc)).to_dict()]})
        return report
    for exchange in exchanges:
        # A contract's own recorded exchange may break the contract on purpose (a design's malformed
        # sample): it lists the verdict it expects under ``violations:``. Files given with --exchanges
        # are checked as they are.
        expected = [] if paths else exchange.violations
        entry: dict[str, Any] = {"id": exchange.id, "operation": exchange.qualified_operation,
                                 "source": exchange.source,
                                 "violations": [v.to_dict() for v in _unexpected(contract.check_exchange(exchange), expected)]}
        if expected:
            entry["expected_violations"] = [v.to_dict() for v in expected]
        report["exchanges"].append(entry)
    return report


def _unexpected(found: list[Violation], expected: list[Violation]) -> list[Violation]:
    """The violations found where the exchange records none, and those it records that are not found."""
    recorded = {v.location for v in expected}
    seen = {v.location for v in found}
    out = [v for v in found if v.location not in recorded]
    out += [Violation(v.location, f"the violation the exchange records ({v.expected})", "none",
                      message="the contract no longer finds it: update the recorded exchange")
            for v in expected if v.location not in seen]
    return out


def run(args: argparse.Namespace) -> int:
    live = args.against is not None
    misplaced = [flag for flag, given in (("--credentials", args.credentials), ("--allow-writes", args.allow_writes),
                                          ("--fixtures", args.fixtures), ("--host", args.host),
                                          ("--contract-dir", args.contract_dir)) if given]
    if misplaced and not live:
        print(f"partnersim verify: {', '.join(misplaced)} only with --against BASE_URL", file=sys.stderr)
        return 2
    if live:
        from partnersim.commands._verify_against import run_against

        return run_against(args)
    if args.exchanges and len(args.partner or []) != 1:
        print("partnersim verify: --exchanges needs exactly one --partner", file=sys.stderr)
        return 2
    reports = [verify_partner(p, args.exchanges) for p in (args.partner or partner_names())]
    failed = sum(len(r["document"]) + sum(len(e["violations"]) for e in r["exchanges"]) for r in reports)
    if args.format == "json":
        json.dump({"violations": failed, "partners": reports}, sys.stdout, indent=2)
        print()
    else:
        for r in reports:
            _print_text(r)
        print(f"\n{'FAILED' if failed else 'OK'}: {failed} violation(s) in "
              f"{sum(len(r['exchanges']) for r in reports)} exchange(s) of {len(reports)} partner(s)")
    return 1 if failed else 0


def _print_text(report: dict[str, Any]) -> None:
    contract = load_contract(report["partner"])
    doc_ok = not report["document"]
    print(f"{report['partner']}: {contract.kind} document {'valid' if doc_ok else 'INVALID'}")
    for v in report["document"]:
        print(f"    {Violation.from_dict(v)}")
    for e in report["exchanges"]:
        mark = "ok  " if not e["violations"] else "FAIL"
        recorded = f", breaks the contract as it records ({len(e['expected_violations'])})" if e.get("expected_violations") else ""
        print(f"  {mark} {e['id']} ({e.get('operation', '?')}){recorded}")
        for v in e["violations"]:
            print(f"         {Violation.from_dict(v)}")
