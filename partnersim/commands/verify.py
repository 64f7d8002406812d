"""``partnersim verify``: are the contracts valid documents, and does every recorded exchange conform?"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from contracts import ExchangeFormatError, Violation, load_contract, partner_names


def register(sub: Any) -> None:
    p = sub.add_parser("verify", help="check contract documents and every recorded exchange",
                       description="Check that each partner's contract is a valid document and that every "
                                   "recorded exchange conforms to it. Exit 0 clean, 1 on any violation, 2 on a usage error.")
    p.add_argument("--partner", action="append", choices=partner_names(), help="only this partner (repeatable)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=run)


def verify_partner(partner: str) -> dict[str, Any]:
    contract = load_contract(partner)
    report: dict[str, Any] = {"partner": partner, "document": [v.to_dict() for v in contract.document_violations()],
                              "exchanges": []}
    try:
        exchanges = contract.exchanges
    except ExchangeFormatError as exc:
        report["exchanges"].append({"id": "(unreadable)", "violations": [
            Violation("file", "an exchange in the exchange format", str(exc)).to_dict()]})
        return report
    for exchange in exchanges:
        report["exchanges"].append({"id": exchange.id, "operation": exchange.qualified_operation,
                                    "source": exchange.source,
                                    "violations": [v.to_dict() for v in contract.check_exchange(exchange)]})
    return report


def run(args: argparse.Namespace) -> int:
    reports = [verify_partner(p) for p in (args.partner or partner_names())]
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
        print(f"  {mark} {e['id']} ({e.get('operation', '?')})")
        for v in e["violations"]:
            print(f"         {Violation.from_dict(v)}")
