"""``Sandbox``: the application factory that puts store, partners, journal and admin together."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulators.admin import create_admin_app
from simulators.context import SandboxConfig, SandboxContext
from simulators.registry import partner_simulators
from simulators.seed import apply_seed, seed_invoices
from simulators.store import Store
from simulators.wsgi import SandboxApp

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

__all__ = ["Sandbox", "create_app"]


class Sandbox:
    """Every partner under one WSGI app. ``state`` is a file path or ``":memory:"``."""

    def __init__(self, state: str | Path = ":memory:", config: SandboxConfig | None = None,
                 partners: list[str] | None = None, *, initialise: bool = True) -> None:
        self.ctx = SandboxContext(Store(state), config)
        self.partners = partner_simulators(partners)
        self.wsgi = SandboxApp(self.ctx, self.partners, create_admin_app(self))
        if initialise and self._empty():
            self.reset()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return self.wsgi(environ, start_response)

    def _empty(self) -> bool:
        with self.ctx.store.read() as conn:
            return bool(conn.execute("SELECT COUNT(*) FROM accounts").fetchone()[0] == 0)

    def reset(self, demo: bool | None = None) -> None:
        """Empty ledgers and journal, back to sandbox time, then the demo data (when configured)."""
        self.ctx.store.wipe()
        self.ctx.store.reset_clock()
        if self.ctx.config.demo if demo is None else demo:
            self.seed({name: sim.demo_seed() for name, sim in self.partners.items() if sim.demo_seed()})

    def seed(self, doc: Mapping[str, Any]) -> dict[str, int]:
        return apply_seed(self.ctx, doc, set(self.partners))

    def seed_bif(self, partner: str, text: str, form: bool = False) -> int:
        from contracts import bif

        parsed = bif.parse_form(text) if form else bif.parse(text)
        return seed_invoices(self.ctx, partner, bif.invoices(parsed))

    def take_errors(self) -> list[str]:
        return self.ctx.take_errors()


def create_app(state: str | Path = ":memory:", **config: Any) -> Sandbox:
    """The WSGI application (Flask's factory convention)."""
    return Sandbox(state, SandboxConfig(**config))
