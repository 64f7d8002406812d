"""The sandbox's SQLite database: ledger, journal, settings, clock and fault plans, one transaction per request.

A file for ``partnersim up`` (it survives a restart and is shared by the server's worker processes),
memory for tests. Each process holds one connection guarded by a lock; SQLite serialises writers
across processes (WAL mode, ``BEGIN IMMEDIATE``).

What a hot path reads on every request but rarely changes (the fault plans) is cached by each
process and revalidated by a *generation*: a counter every process on the database sees without a
query (``generation()``, bumped by ``touch()``).
"""

from __future__ import annotations

import mmap
import os
import secrets
import struct
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: SQLite's busy handler alone serialises writers
    fcntl = None  # type: ignore[assignment]

__all__ = ["Store", "SCHEMA_VERSION"]

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
    partner TEXT NOT NULL, account_number TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '', billing TEXT NOT NULL DEFAULT 'balance_forward',
    data TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (partner, account_number));
CREATE TABLE IF NOT EXISTS policies (
    partner TEXT NOT NULL, policy_number TEXT NOT NULL, account_number TEXT NOT NULL,
    data TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (partner, policy_number));
CREATE TABLE IF NOT EXISTS invoices (
    partner TEXT NOT NULL, invoice_number TEXT NOT NULL, account_number TEXT NOT NULL,
    policy_number TEXT NOT NULL DEFAULT '', invoice_date TEXT NOT NULL, due_date TEXT NOT NULL DEFAULT '',
    total_cents INTEGER NOT NULL, due_cents INTEGER NOT NULL, past_due_cents INTEGER NOT NULL DEFAULT 0,
    balance_forward INTEGER NOT NULL DEFAULT 1, data TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (partner, invoice_number));
CREATE INDEX IF NOT EXISTS invoices_by_account ON invoices (partner, account_number, invoice_date);
CREATE TABLE IF NOT EXISTS payments (
    partner TEXT NOT NULL, payment_id TEXT NOT NULL, account_number TEXT NOT NULL,
    invoice_number TEXT NOT NULL DEFAULT '', policy_number TEXT NOT NULL DEFAULT '',
    amount_cents INTEGER NOT NULL, method TEXT NOT NULL DEFAULT '', paid_on TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'posted', data TEXT NOT NULL DEFAULT '{}', created_at REAL NOT NULL,
    PRIMARY KEY (partner, payment_id));
CREATE TABLE IF NOT EXISTS allocations (
    id INTEGER PRIMARY KEY, partner TEXT NOT NULL, payment_id TEXT NOT NULL,
    invoice_number TEXT NOT NULL, amount_cents INTEGER NOT NULL, kind TEXT NOT NULL,
    created_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS allocations_by_invoice ON allocations (partner, invoice_number);
CREATE INDEX IF NOT EXISTS allocations_by_payment ON allocations (partner, payment_id);
CREATE TABLE IF NOT EXISTS credits (
    id INTEGER PRIMARY KEY, partner TEXT NOT NULL, payment_id TEXT NOT NULL,
    amount_cents INTEGER NOT NULL, reason TEXT NOT NULL DEFAULT '', data TEXT NOT NULL DEFAULT '{}',
    created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS settings (
    partner TEXT NOT NULL, account_number TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (partner, account_number, key));
CREATE TABLE IF NOT EXISTS documents (
    partner TEXT NOT NULL, account_number TEXT NOT NULL, key TEXT NOT NULL, content BLOB,
    data TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (partner, account_number, key));
CREATE TABLE IF NOT EXISTS sessions (
    partner TEXT NOT NULL, session_id TEXT NOT NULL, subject TEXT NOT NULL DEFAULT '',
    expires_at REAL NOT NULL, data TEXT NOT NULL DEFAULT '{}', created_at REAL NOT NULL,
    PRIMARY KEY (partner, session_id));
CREATE TABLE IF NOT EXISTS journal (
    id INTEGER PRIMARY KEY, at REAL NOT NULL, partner TEXT NOT NULL, operation TEXT NOT NULL,
    method TEXT NOT NULL, path TEXT NOT NULL, status INTEGER, violations INTEGER NOT NULL,
    faults INTEGER NOT NULL DEFAULT 0, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS journal_by_operation ON journal (partner, operation);
CREATE TABLE IF NOT EXISTS fault_plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT, partner TEXT NOT NULL, operation TEXT NOT NULL DEFAULT '',
    remaining INTEGER, applied INTEGER NOT NULL DEFAULT 0, plan TEXT NOT NULL DEFAULT '{}',
    created_at REAL NOT NULL);
"""
# fault_plans: match and effect as JSON (``plan``), so new kinds need no schema change; ``remaining``
# NULL = until removed. AUTOINCREMENT: an id in a journal note never names a later plan.

# Tables that hold the partners' ledgers: emptied by a reset, unlike meta.
LEDGER_TABLES = ("accounts", "policies", "invoices", "payments", "allocations", "credits", "settings", "documents",
                 "sessions")
# Emptied by a reset besides the ledgers: what the partners received, and what they were told to do wrong.
RESET_TABLES = LEDGER_TABLES + ("journal", "fault_plans")
_GENERATION = struct.Struct("<Q")


class Store:
    """One SQLite database.

    In memory (tests) there is one connection, and every use of it holds the lock. On a file each
    thread has its own connection: WAL lets readers run side by side, and writers queue on this
    process's lock and then on a kernel lock shared with the other worker processes. (A single
    locked connection per process made gthread workers wait on each other: bench/README.md.)
    """

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        self._shared_file = self.path != ":memory:"
        self._lock = threading.RLock()
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._secret = ""
        self._lockfile: int | None = None
        self._generation = 0  # in memory; on a file, ``_shared`` holds it
        self._shared: mmap.mmap | None = None
        if self._shared_file and fcntl is not None:
            self._lockfile = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            self._shared = self._map_generation(self._lockfile)
        self._memory = None if self._shared_file else self._open()
        self._connection().executescript(_SCHEMA)
        with self.transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            conn.execute("INSERT OR IGNORE INTO meta VALUES ('secret', ?)", (secrets.token_hex(32),))
            conn.execute("INSERT OR IGNORE INTO meta VALUES ('clock_offset', '0')")

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        conn.row_factory = sqlite3.Row
        if self._shared_file:
            conn.execute("PRAGMA journal_mode=WAL")
            # A sandbox, not a bank: a power cut may lose the last exchanges, never corrupt the file.
            conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        with self._lock:
            self._opened.append(conn)
        return conn

    def _connection(self) -> sqlite3.Connection:
        if self._memory is not None:
            return self._memory
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._open()
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (``BEGIN IMMEDIATE``); nested use joins the outer one.

        Writers of a shared file queue on a kernel lock first: SQLite's own busy handler sleeps
        1, 2, 5 ms... between tries; ``flock`` wakes the next writer as soon as the lock is free.
        """
        with self._lock:
            conn = self._connection()
            if conn.in_transaction:
                yield conn
                return
            if self._lockfile is not None:
                fcntl.flock(self._lockfile, fcntl.LOCK_EX)
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                else:
                    conn.execute("COMMIT")
            finally:
                if self._lockfile is not None:
                    fcntl.flock(self._lockfile, fcntl.LOCK_UN)

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        if self._memory is not None:
            with self._lock:
                yield self._memory
        else:
            yield self._connection()

    def close(self) -> None:
        with self._lock:
            for conn in self._opened:
                conn.close()
            self._opened.clear()
            if self._shared is not None:
                self._shared.close()
                self._shared = None
            if self._lockfile is not None:
                os.close(self._lockfile)
                self._lockfile = None

    # -- generation ---------------------------------------------------------------------------
    @staticmethod
    def _map_generation(lockfile: int) -> mmap.mmap:
        """The lock file's first 8 bytes, shared by every process on the database (growing the file
        to 8 bytes never clears a counter another process wrote: only a shorter file is extended)."""
        if os.fstat(lockfile).st_size < _GENERATION.size:
            os.ftruncate(lockfile, _GENERATION.size)
        return mmap.mmap(lockfile, _GENERATION.size)

    def generation(self) -> int:
        """A number that changes whenever any process calls ``touch()`` on this database; read from
        memory, never by a query (a shared file without ``fcntl`` falls back to a meta row)."""
        if self._shared is not None:
            return int(_GENERATION.unpack_from(self._shared)[0])
        if self._shared_file:
            return int(self.meta("generation", "0"))
        return self._generation

    def touch(self) -> None:
        """Tell every process that cached data changed. Call it after the change has committed, so
        that a process which sees the new generation also sees the change."""
        with self._lock:
            if self._connection().in_transaction:
                # On a file the flock below would release the open transaction's lock early.
                raise RuntimeError("Store.touch() inside a transaction: call it after the commit")
            if self._shared is not None and self._lockfile is not None:
                fcntl.flock(self._lockfile, fcntl.LOCK_EX)
                try:
                    _GENERATION.pack_into(self._shared, 0, (self.generation() + 1) % 2**64)
                finally:
                    fcntl.flock(self._lockfile, fcntl.LOCK_UN)
            elif self._shared_file:
                with self.transaction() as conn:
                    conn.execute("INSERT OR REPLACE INTO meta VALUES ('generation', ?)",
                                 (str(int(self.meta("generation", "0")) + 1),))
            else:
                self._generation += 1

    # -- meta ---------------------------------------------------------------------------------
    def meta(self, key: str, default: str = "") -> str:
        with self.read() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    @property
    def secret(self) -> str:
        """The signing key of the sandbox's tokens: one per database, so every worker shares it."""
        if not self._secret:
            self._secret = self.meta("secret")
        return self._secret

    # -- clock --------------------------------------------------------------------------------
    def now(self) -> float:
        """Sandbox time: wall time plus the offset set by ``/__admin/clock`` (token expiry, due dates)."""
        return time.time() + float(self.meta("clock_offset", "0"))

    def advance_clock(self, seconds: float) -> float:
        with self.transaction() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'clock_offset'").fetchone()
            offset = float(row[0]) + seconds
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('clock_offset', ?)", (repr(offset),))
        return offset

    def reset_clock(self) -> None:
        self.set_meta("clock_offset", "0")

    def wipe(self) -> None:
        """Empty the ledgers, the journal and the fault plans (a reset); the signing key and clock stay.

        ``resets`` counts the wipes: a request that waited (a delay fault) across a reset belongs to
        a state that is gone, and is abandoned rather than applied to the new one.
        """
        with self.transaction() as conn:
            for table in RESET_TABLES:
                conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
            row = conn.execute("SELECT value FROM meta WHERE key = 'resets'").fetchone()
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('resets', ?)", (str(int(row[0]) + 1 if row else 1),))
        self.touch()
