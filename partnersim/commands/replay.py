"""``partnersim replay``: serve recorded answers for matching requests (recordings or journal entries)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from contracts import Exchange, ExchangeFormatError, load_exchanges

DEFAULT_PORT = 8702


def register(sub: Any) -> None:
    p = sub.add_parser(
        "replay", help="serve recorded exchanges' answers",
        description="Answer each request with the recorded exchange it matches (method, partner host, operation, "
                    "path parameters, query and body fields; several matches are served in order, the last "
                    "repeating). Unmatched requests get the partner's own 404 listing the nearest recordings and "
                    "the fields that differ. Ctrl-C stops.")
    p.add_argument("sources", nargs="+", metavar="FILE_OR_DIR_OR_ID",
                   help="exchange files or folders of them (a recording); with --journal, journal entry ids")
    p.add_argument("--journal", metavar="URL", help="a running sandbox whose journal entries the ids name")
    p.add_argument("--partner", help="replay only this partner's exchanges")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"0 picks a free port (default {DEFAULT_PORT})")
    p.set_defaults(func=run)


def exchanges_from_files(sources: list[str]) -> list[Exchange]:
    out: list[Exchange] = []
    for source in sources:
        path = Path(source)
        if path.is_dir():
            files = sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml"))
            if not files:
                raise ExchangeFormatError(f"{path}: no exchange files (*.yaml) in this folder")
        elif path.is_file():
            files = [path]
        else:
            raise ExchangeFormatError(f"{path}: no such file or folder; give exchange files, folders of them, or "
                                      "journal ids with --journal URL")
        for file in files:
            for exchange in load_exchanges(file):
                exchange.id = exchange.id or file.stem
                out.append(exchange)
    return out


def exchanges_from_journal(url: str, ids: list[str]) -> list[Exchange]:
    import requests
    import yaml

    out: list[Exchange] = []
    base = url.rstrip("/")
    for entry_id in ids:
        if not entry_id.isdigit():
            raise ExchangeFormatError(f"journal ids are whole numbers, found {entry_id!r}")
        where = f"{base}/__admin/journal/{entry_id}?format=yaml"
        try:
            answer = requests.get(where, timeout=10)
        except requests.RequestException as exc:
            raise ExchangeFormatError(f"{where}: the sandbox did not answer ({exc}); is it running?") from exc
        if answer.status_code != 200:
            raise ExchangeFormatError(f"{where}: HTTP {answer.status_code} {answer.text[:200]}")
        exchange = Exchange.from_dict(yaml.safe_load(answer.text), where=f"journal entry {entry_id}")
        exchange.id = f"journal-{entry_id}"
        out.append(exchange)
    return out


def run(args: argparse.Namespace) -> int:
    from simulators.appserver import serve_until_interrupted
    from simulators.replay import ReplayApp

    exchanges = exchanges_from_journal(args.journal, args.sources) if args.journal else exchanges_from_files(args.sources)

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    app = ReplayApp(exchanges, args.partner, log=log)

    def ready(url: str) -> None:
        counts = ", ".join(f"{name}: {len(recs)}" for name, recs in app.recordings.items())
        print(f"partnersim replay ready on {url}  ({counts} recorded exchange(s); Ctrl-C stops)", flush=True)

    serve_until_interrupted(app, args.host, args.port, ready)
    unmatched = app.unmatched()
    print(f"partnersim replay stopped: {len(app.journal)} request(s), {len(unmatched)} unmatched", file=sys.stderr)
    return 0
