"""``partnersim scenario from-journal|from-recording``: a scenario file that reproduces exchanges."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from contracts import Exchange, HarnessError


def register(sub: Any) -> None:
    p = sub.add_parser("scenario", help="write a scenario that reproduces a journal slice or a recording",
                       description="Turn exchanges into a scenario file: one send step per exchange, expecting the "
                                   "recorded status and operation.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
    actions.required = True
    journal = actions.add_parser("from-journal", help="from a running sandbox's journal")
    journal.add_argument("--url", required=True, help="the sandbox's base URL (e.g. http://127.0.0.1:8700)")
    journal.add_argument("--since", type=int, default=0, metavar="ID", help="only entries after this journal id")
    journal.add_argument("--operation", metavar="P.OP", help="only this operation (e.g. tccs.Pay_Input)")
    journal.add_argument("--partner", help="only this partner's entries")
    _common(journal)
    journal.set_defaults(func=from_journal)
    recording = actions.add_parser("from-recording", help="from a folder written by partnersim record")
    recording.add_argument("dir", type=Path, metavar="DIR")
    recording.add_argument("--partner", help="only this partner's exchanges")
    recording.add_argument("--url", help="the sandbox whose credentials --credentials sandbox takes "
                                         "(default: the sandbox's documented defaults)")
    _common(recording)
    recording.set_defaults(func=from_recording)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, metavar="FILE", help="write the scenario here (default: standard output)")
    p.add_argument("--credentials", choices=["placeholders", "sandbox"], default="placeholders",
                   help="sandbox: put the sandbox's credentials in place of the scrubbed ones (default: keep "
                        "the <REDACTED> placeholders)")


def _credentials(url: str | None) -> dict[str, str]:
    if url is None:
        from simulators import Credentials

        return Credentials().to_dict()
    import requests

    where = url.rstrip("/") + "/__admin/credentials"
    try:
        answer = requests.get(where, timeout=10)
        answer.raise_for_status()
    except requests.RequestException as exc:
        raise HarnessError(f"{where}: cannot read the sandbox's credentials ({exc}); is the sandbox running?") from exc
    return {str(k): str(v) for k, v in answer.json().items()}


def _write(args: argparse.Namespace, exchanges: list[Exchange], origin: str, credentials: dict[str, str] | None) -> int:
    from scenarios.generate import scenario_from_exchanges

    text = scenario_from_exchanges(exchanges, origin=origin, credentials=credentials, partner=args.partner or "")
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        print(f"partnersim scenario: wrote {args.out} ({len(exchanges)} exchange(s) from {origin})", file=sys.stderr)
    return 0


def from_journal(args: argparse.Namespace) -> int:
    import requests

    base = args.url.rstrip("/")
    params: dict[str, Any] = {"since": args.since, "limit": 10_000}
    if args.operation:
        params["operation"] = args.operation
    if args.partner:
        params["partner"] = args.partner
    try:
        answer = requests.get(f"{base}/__admin/journal", params=params, timeout=10)
        answer.raise_for_status()
    except requests.RequestException as exc:
        raise HarnessError(f"{base}/__admin/journal: cannot read the journal ({exc}); is the sandbox running?") from exc
    entries = answer.json()["entries"]
    exchanges = [Exchange.from_dict(e, where=f"journal entry {e.get('id')}") for e in entries]
    for exchange in exchanges:
        exchange.id = f"journal-{exchange.id}"
    span = f"entries {entries[0]['id']}-{entries[-1]['id']}" if entries else f"entries after {args.since}"
    origin = f"the journal of {base} ({span}{', ' + args.operation if args.operation else ''})"
    credentials = _credentials(base) if args.credentials == "sandbox" else None
    return _write(args, exchanges, origin, credentials)


def from_recording(args: argparse.Namespace) -> int:
    from partnersim.commands.replay import exchanges_from_files

    exchanges = exchanges_from_files([str(args.dir)])
    credentials = _credentials(args.url) if args.credentials == "sandbox" else None
    return _write(args, exchanges, f"the recording {args.dir}", credentials)
