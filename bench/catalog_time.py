"""Wall time of the scenario catalogue, serial and with ``-n 2``. Run by hand."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTEST = Path(sys.executable).with_name("pytest")

for label, extra in (("serial", ["-p", "no:xdist"]), ("-n 2", ["-n", "2"])):
    started = time.perf_counter()
    result = subprocess.run([str(PYTEST), "scenarios/catalog", "-q", "-p", "no:cacheprovider", *extra],
                            cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-300:]
    print(f"catalogue {label}: {elapsed:.1f} s ({summary})")
