"""Per-request cost of RTDR v2 inside the process (no network): where the time goes. Run by hand.

    .venv/bin/python bench/profile_rtdr.py [N] [--profile]
"""

from __future__ import annotations

import cProfile
import io
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path

from simulators import Sandbox


def environ(method: str, path: str, query: str = "", body: bytes = b"", **headers: str) -> dict[str, object]:
    env: dict[str, object] = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
                              "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8700", "wsgi.url_scheme": "http",
                              "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)),
                              "SERVER_PROTOCOL": "HTTP/1.1"}
    if body:
        env["CONTENT_TYPE"] = "application/vnd.api+json"
    env.update({f"HTTP_{k.upper()}": v for k, v in headers.items()})
    return env


def call(app: Sandbox, env: dict[str, object]) -> bytes:
    out: dict[str, str] = {}
    body = b"".join(app(env, lambda s, h, e=None: out.setdefault("s", s)))  # type: ignore[arg-type]
    assert out["s"].startswith("200"), (out, body[:200])
    return body


state = Path(tempfile.mkdtemp()) / "s.sqlite3"
from simulators import SandboxConfig

flags = {"journal": "--no-journal" not in sys.argv, "check_contracts": "--no-contracts" not in sys.argv}
app = Sandbox(state, SandboxConfig(**flags))
token_body = json.dumps({"data": {"type": "Token", "attributes": {"username_or_email": "sandbox", "password": "sandbox"}}})
token = json.loads(call(app, environ("POST", "/imt/users/api/v1/tokens/", body=token_body.encode())))["data"]["attributes"]["auth"]
n = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 2000
rtdr = lambda: call(app, environ("GET", "/imt/billing/api/v2/accounts/ACCT0001/", "customer_username=pat", AUTHORIZATION=token))  # noqa: E731
for _ in range(200):
    rtdr()
if "--profile" in sys.argv:
    prof = cProfile.Profile()
    prof.enable()
started = time.perf_counter()
for _ in range(n):
    rtdr()
elapsed = time.perf_counter() - started
if "--profile" in sys.argv:
    prof.disable()
    pstats.Stats(prof).sort_stats("cumulative").print_stats(35)
print(f"{elapsed / n * 1e6:.0f} µs per RTDR v2 request in-process ({n / elapsed:.0f}/s on one core)")
