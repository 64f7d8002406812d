"""What the load scripts share: ``partnersim up`` in a child process on a free port with a throw-away
state file, their command line, and one ``wrk`` run per connection count."""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class UpProcess:
    def __init__(self, *extra: str) -> None:
        self.dir = tempfile.mkdtemp(prefix="partnersim-bench-")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [str(Path(sys.executable).with_name("partnersim")), "up", "--port", str(self.port),
               "--state", os.path.join(self.dir, "state.sqlite3"), *extra]
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.ready_after = self._wait_ready()

    def _wait_ready(self) -> float:
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/__admin/health", timeout=0.5) as r:
                    if r.status == 200:
                        return time.perf_counter() - self.started
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(self.proc.stdout.read() if self.proc.stdout else "died") from None
                time.sleep(0.005)

    def token(self) -> str:
        body = json.dumps({"data": {"type": "Token", "attributes": {"username_or_email": "sandbox",
                                                                   "password": "sandbox"}}}).encode()
        req = urllib.request.Request(f"{self.url}/imt/users/api/v1/tokens/", data=body,
                                     headers={"Content-Type": "application/vnd.api+json"})
        with urllib.request.urlopen(req) as r:
            return str(json.load(r)["data"]["attributes"]["auth"])

    def rss_mib(self) -> float:
        """Resident memory of the server and its workers."""
        pids = [self.proc.pid] + [int(p) for p in subprocess.run(
            ["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout.split()]
        total = 0
        for pid in pids:
            status = Path(f"/proc/{pid}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
        return total / 1024

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def wrk(url: str, script: Path, connections: int, seconds: int, threads: str = "1") -> dict[str, str]:
    """One ``wrk`` run: requests/s, p50, p99 and the count of non-2xx answers, as printed by wrk."""
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
                         capture_output=True, text=True, check=True).stdout
    found = {"rps": re.search(r"Requests/sec:\s+([\d.]+)", out), "p50": re.search(r"^\s+50%\s+(\S+)", out, re.M),
             "p99": re.search(r"^\s+99%\s+(\S+)", out, re.M), "errors": re.search(r"Non-2xx or 3xx responses: (\d+)", out)}
    return {k: (m.group(1) if m else "0") for k, m in found.items()}


def load_arguments(extra: Callable[[argparse.ArgumentParser], object] | None = None) -> argparse.Namespace:
    """``[seconds] [--workers N] [--threads N] [--wrk-threads N]`` and the script's own options."""
    parser = argparse.ArgumentParser()
    parser.add_argument("seconds", nargs="?", type=int, default=10)
    parser.add_argument("--workers", default="2")
    parser.add_argument("--threads", default="2")
    parser.add_argument("--wrk-threads", default="1", help="load generator threads (default 1: it shares the cores)")
    if extra is not None:
        extra(parser)
    return parser.parse_args()


def lua(name: str, text: str) -> Path:
    """A wrk script in a fresh temporary folder."""
    path = Path(tempfile.mkdtemp()) / name
    path.write_text(text)
    return path


def measure(label: str, url: str, script: Path | Callable[[str], Path], args: argparse.Namespace,
            connections: tuple[int, ...] = (16, 64)) -> None:
    """A short warm-up, then one run per connection count, each printed on one line. ``script`` may be a
    function of the run's name, for scripts that must differ per run (fresh payment GUIDs)."""
    def script_for(run: str) -> Path:
        return script(run) if callable(script) else script

    wrk(url, script_for("warm"), 16, 2, args.wrk_threads)
    for c in connections:
        r = wrk(url, script_for(f"c{c}"), c, args.seconds, args.wrk_threads)
        print(f"{label}, {c} connections, workers={args.workers} threads={args.threads}: "
              f"{float(r['rps']):.0f} req/s, p50 {r['p50']}, p99 {r['p99']}, non-2xx {r['errors']}")
