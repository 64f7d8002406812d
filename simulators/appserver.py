"""Any WSGI app (the sandbox, the recording proxy, the replay server) under waitress from a background
thread: bound on port 0 when asked, ready (a connection accepted) before it is handed out, stopped
from its own thread. ``serve_until_interrupted``
is the command line's loop: it prints the readiness line and returns on Ctrl-C.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from simulators.errors import SimulatorError

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication

__all__ = ["AppServerThread", "serve_until_interrupted"]


class AppServerThread:
    def __init__(self, app: WSGIApplication, host: str = "127.0.0.1", port: int = 0, threads: int = 8,
                 name: str = "partnersim-app") -> None:
        from waitress.server import create_server

        self.app = app
        self._server: Any = create_server(app, host=host, port=port, threads=threads, ident="partnersim",
                                          clear_untrusted_proxy_headers=True)
        self.host = host
        self.port = int(self._server.effective_port)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, name=f"{name}:{self.port}", daemon=True)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> AppServerThread:
        self._thread.start()
        for _ in range(200):
            try:
                with socket.create_connection((self.host, self.port), timeout=0.05):
                    return self
            except OSError:
                if not self._thread.is_alive():
                    break
        raise SimulatorError(f"the server on {self.url} did not accept connections")

    def _serve(self) -> None:
        """waitress's loop, one poll at a time, so that stopping happens in this thread: closing
        its sockets from another thread while it polls them raised EBADF."""
        from waitress import wasyncore

        server = self._server
        try:
            while not self._stopping.is_set():
                wasyncore.loop(timeout=server.adj.asyncore_loop_timeout, map=server._map,
                               use_poll=server.adj.asyncore_use_poll, count=1)
        finally:
            server.task_dispatcher.shutdown()
            wasyncore.close_all(server._map)

    def stop(self) -> None:
        self._stopping.set()
        self._server.pull_trigger()  # wake the poll now rather than at its timeout
        self._thread.join(timeout=10)

    def __enter__(self) -> AppServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_until_interrupted(app: WSGIApplication, host: str, port: int, on_ready: Callable[[str], None]) -> None:
    """Serve until Ctrl-C; ``on_ready`` gets the URL (with the chosen port when ``port`` is 0)."""
    server = AppServerThread(app, host, port).start()
    try:
        on_ready(server.url)
        threading.Event().wait()  # until KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
