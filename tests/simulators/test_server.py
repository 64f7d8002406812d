from __future__ import annotations

import threading

import requests

from simulators import Sandbox, ServerThread


def test_servers_start_ready_and_stop_cleanly_again_and_again() -> None:
    """Stopping used to close waitress's sockets under its running poll (EBADF in its thread)."""
    errors: list[str] = []
    previous = threading.excepthook
    threading.excepthook = lambda args: errors.append(repr(args.exc_value))
    try:
        for _ in range(50):
            with ServerThread(Sandbox()) as server:
                assert requests.get(f"{server.url}/__admin/health").status_code == 200
    finally:
        threading.excepthook = previous
    assert errors == []


def test_a_stopped_server_releases_its_port() -> None:
    server = ServerThread(Sandbox()).start()
    port = server.port
    server.stop()
    again = ServerThread(Sandbox(), port=port).start()
    try:
        assert again.port == port
    finally:
        again.stop()
