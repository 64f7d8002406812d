"""Serving the sandbox.

* ``serve()``: ``partnersim up``. gunicorn with threaded workers (measured in ``bench/``: about twice
  waitress's throughput on two cores), every worker on the same SQLite file, so state, journal and
  clock are shared and survive a restart.
* ``ServerThread``: the sandbox inside the current process on port 0 (tests, the pytest plugin,
  ``partnersim run``), under waitress, ready before it is handed out: a readiness check, never a sleep.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

from simulators.app import Sandbox
from simulators.appserver import AppServerThread
from simulators.context import SandboxConfig
from simulators.errors import SimulatorError

__all__ = ["ServerThread", "serve"]


class ServerThread(AppServerThread):
    """A sandbox served by waitress from a background thread of this process (``AppServerThread``'s
    discipline: port 0, ready before it is handed out, stopped from its own thread)."""

    def __init__(self, sandbox: Sandbox | None = None, host: str = "127.0.0.1", port: int = 0, threads: int = 8) -> None:
        self.sandbox = sandbox or Sandbox()
        super().__init__(self.sandbox, host, port, threads, name="partnersim")

    def start(self) -> ServerThread:
        super().start()
        return self

    def stop(self) -> None:
        super().stop()
        self.sandbox.ctx.store.close()

    def check_errors(self) -> None:
        """Re-raise, as a test failure, any error a handler raised (pytest-httpserver's idea)."""
        errors = self.sandbox.take_errors()
        if errors:
            raise SimulatorError("the sandbox raised while handling a request:\n" + "\n".join(errors))

    def __enter__(self) -> ServerThread:
        return self.start()


def serve(state: Path, config: SandboxConfig, host: str, port: int, workers: int = 2, threads: int = 2,
          partners: list[str] | None = None, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve until interrupted (Ctrl-C stops cleanly): gunicorn, one sandbox per worker, one file."""
    from gunicorn.app.base import BaseApplication

    # Create the schema and the demo data once, before the workers start.
    Sandbox(state, config, partners).ctx.store.close()
    if port == 0:  # every worker binds its own socket (reuse_port), so they must agree on the number
        port = _free_port(host)
    url = f"http://{host}:{port}"

    class _App(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            settings = {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
                        "worker_class": "gthread", "accesslog": None, "errorlog": "-", "loglevel": "warning",
                        "keepalive": 5, "graceful_timeout": 3, "proc_name": "partnersim",
                        # Each worker its own SO_REUSEPORT socket: the kernel spreads keep-alive
                        # connections; one shared socket let a worker take them all (bench/README.md).
                        "reuse_port": True}
            for key, value in settings.items():
                self.cfg.set(key, value)
            if on_ready is not None:
                # With reuse_port the workers bind, after the arbiter is "ready": announce the URL
                # only once a connection is accepted, so "ready" is true when it is printed.
                self.cfg.set("when_ready", lambda server: threading.Thread(
                    target=_announce_when_listening, args=(host, port, url, on_ready), daemon=True).start())

        def load(self) -> Sandbox:
            return Sandbox(state, config, partners, initialise=False)

    _App().run()


def _announce_when_listening(host: str, port: int, url: str, on_ready: Callable[[str], None]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                on_ready(url)
                return
        except OSError:
            time.sleep(0.01)  # a worker is still starting; poll again, bounded by the deadline


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])
