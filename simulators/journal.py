"""The journal: every exchange the sandbox served, with its contract verdict and faults applied."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from contracts import Exchange, Redactor
from simulators.store import Store

__all__ = ["Journal", "JournalFilter"]

_REDACT = Redactor()
MAX_STORED_BODY = 256 * 1024


@dataclass(frozen=True)
class JournalFilter:
    partner: str = ""
    operation: str = ""
    since_id: int = 0
    limit: int = 100
    violations_only: bool = False


class Journal:
    def __init__(self, store: Store) -> None:
        self.store = store

    def record(self, exchange: Exchange) -> int:
        """Store the exchange (secrets redacted) and answer its id."""
        safe = exchange.redacted(_REDACT)
        for message in (safe.request, safe.response):
            if message is not None and len(message.body) > MAX_STORED_BODY:
                message.body = message.body[:MAX_STORED_BODY]
                safe.notes = (safe.notes + " body truncated in the journal").strip()
        data = safe.to_dict()
        status = exchange.response.status if exchange.response is not None else None
        with self.store.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO journal (at, partner, operation, method, path, status, violations, faults, data) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (time.time(), exchange.partner, exchange.operation, exchange.request.method,
                 exchange.request.path, status, len(exchange.violations), len(exchange.faults),
                 json.dumps(data)),
            )
            return int(cursor.lastrowid or 0)

    def entries(self, flt: JournalFilter = JournalFilter()) -> list[dict[str, Any]]:
        """Entries as exchange mappings with their ``id``, oldest first."""
        sql = "SELECT id, data FROM journal WHERE id > ?"
        args: list[Any] = [flt.since_id]
        # ``operation`` may be qualified (``imt.post_payment``): its partner then narrows the filter.
        op_partner, _, operation = flt.operation.rpartition(".")
        partner = op_partner or flt.partner
        if partner:
            sql += " AND partner = ?"
            args.append(partner)
        if operation:
            sql += " AND operation = ?"
            args.append(operation)
        if flt.violations_only:
            sql += " AND violations > 0"
        sql += " ORDER BY id DESC LIMIT ?"
        args.append(max(1, min(flt.limit, 10_000)))
        with self.store.read() as conn:
            rows = conn.execute(sql, args).fetchall()
        return [self._entry(row) for row in reversed(rows)]

    def get(self, entry_id: int) -> dict[str, Any] | None:
        with self.store.read() as conn:
            row = conn.execute("SELECT id, data FROM journal WHERE id = ?", (entry_id,)).fetchone()
        return self._entry(row) if row else None

    def exchange(self, entry_id: int) -> Exchange | None:
        entry = self.get(entry_id)
        return Exchange.from_dict(entry) if entry else None

    def clear(self) -> int:
        with self.store.transaction() as conn:
            return int(conn.execute("DELETE FROM journal").rowcount)

    @staticmethod
    def _entry(row: Any) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(row["data"])
        data["id"] = str(row["id"])
        return data
