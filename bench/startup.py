"""Cold start of ``partnersim up`` to ``/__admin/health`` 200, median of N runs. Run by hand."""

from __future__ import annotations

import statistics
import sys

from _sandbox import UpProcess

runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
times = []
for _ in range(runs):
    up = UpProcess()
    times.append(up.ready_after)
    up.stop()
print(f"cold start to ready: median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms over {runs} runs")
