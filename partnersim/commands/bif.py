"""``partnersim bif check FILE``: check a BIF file (or web-service form) against a partner's mapping.

Prints one line per violation, then a summary. Exit 0 when the file conforms, 1 when it has
violations, 2 when the file cannot be read or the partner has no mapping (a ``HarnessError``, which
``partnersim.cli.main`` reports).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from contracts.bif import Bif, BifForm, iter_violations, load_mapping, mapping_partners, parse, parse_form
from contracts.errors import BifError
from contracts.violation import Violation

__all__ = ["register"]

EXIT_OK, EXIT_FAILED = 0, 1
_LINE = re.compile(r"line (\d+)\b")


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "bif", help="IC's invoice file (BIF): check it against a partner's field mapping",
        description="IC's invoice file (BIF): check it against a partner's field mapping.",
    )
    actions = parser.add_subparsers(dest="bif_action", metavar="ACTION", parser_class=type(parser))
    actions.required = True
    check = actions.add_parser(
        "check", help="report every violation of a BIF file or web-service form",
        description="Report every violation of a BIF file or web-service form against a partner's mapping. "
        "Exit 0 clean, 1 violations, 2 unreadable file or unknown partner.",
    )
    check.add_argument("file", type=Path, help="the BIF file (or, with --form, the web-service form body)")
    check.add_argument("--partner", default="imt",
                       help=f"whose mapping to check against (default imt; known: {', '.join(mapping_partners())})")
    check.add_argument("--form", action="store_true",
                       help="the file holds a web-service form: CustomerRecord=...&InvoiceHeaderRecord=...")
    check.add_argument("--encoding", default="utf-8", help="the file's text encoding (default utf-8)")
    check.set_defaults(func=run_check)


def _read(path: Path, encoding: str) -> str:
    try:
        return path.read_bytes().decode(encoding)
    except OSError as exc:
        raise BifError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, LookupError) as exc:
        raise BifError(f"{path} is not {encoding} text ({exc}); pass --encoding (cp1252, for instance)") from exc


def _line_of(violation: Violation) -> int:
    """Sort key: a person reads a file top to bottom; form fields and rules keep their order."""
    match = _LINE.match(violation.location)
    return int(match.group(1)) if match else 0


def run_check(args: argparse.Namespace) -> int:
    mapping = load_mapping(args.partner)
    text = _read(args.file, args.encoding)
    try:
        doc: Bif | BifForm = parse_form(text) if args.form else parse(text)
    except BifError as exc:
        raise BifError(f"{args.file}: {exc}") from exc
    violations = sorted(iter_violations(doc, mapping), key=_line_of)
    for violation in violations:
        print(violation)
    count = len(violations)
    invoices = len(doc.invoice_records())
    what = f"{invoices} invoice{'s' if invoices != 1 else ''}, {mapping.partner} mapping"
    if count:
        print(f"{args.file}: {count} violation{'s' if count != 1 else ''} ({what})")
        return EXIT_FAILED
    print(f"{args.file}: conforms ({what})")
    return EXIT_OK
