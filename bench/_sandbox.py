"""Start ``partnersim up`` in a child process on a free port with a throw-away state file."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
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
