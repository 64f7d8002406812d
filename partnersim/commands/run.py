"""``partnersim run``: run scenarios (the catalogue shipped with partnersim by default).

Exit 0 when every scenario passed (a scenario marked ``xfail`` that fails counts as passed), 1 when
any failed, 2 on a usage error or a malformed scenario (it names file and line).

Why this delegates to pytest rather than running scenarios itself: there is then one runner. The
scenarios run as the items of the pytest plugin (``scenarios.plugin``) whether CI calls ``pytest -n
auto`` or ``partnersim run -n auto``, so the two cannot drift apart, and JUnit XML, ``-k`` selection,
strict xfail and parallel workers (pytest-xdist: one in-memory sandbox per worker process, on port
0, reset per scenario) come from the tools CI already trusts instead of being written again here.
The cost is pytest's start-up (well under a second), which the catalogue's run amortises.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

# pytest's exit codes -> ours: tests failed -> 1; interrupted (a collection error, i.e. a malformed
# scenario), internal error, usage error, nothing collected -> 2.
_EXIT = {0: EXIT_OK, 1: EXIT_FAILED, 2: EXIT_USAGE, 3: EXIT_USAGE, 4: EXIT_USAGE, 5: EXIT_USAGE}


def _workers(value: str) -> str:
    if value in ("auto", "logical") or (value.isdigit() and int(value) >= 0):
        return value
    raise argparse.ArgumentTypeError(f"expected a number of worker processes or 'auto', found {value!r}")


def register(sub: Any) -> None:
    p = sub.add_parser(
        "run",
        help="run scenarios (the shipped catalogue by default)",
        description="Run scenario files against an in-process sandbox, through pytest and the partnersim "
                    "plugin. Exit 0 all passed, 1 any failed, 2 usage error or malformed scenario.",
    )
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                   help="scenario files or folders of them (default: the catalogue shipped with partnersim)")
    p.add_argument("-n", "--workers", type=_workers, metavar="N",
                   help="run in N worker processes ('auto': one per CPU); needs pytest-xdist")
    p.add_argument("--junit-xml", type=Path, metavar="FILE", help="also write a JUnit XML report to FILE")
    p.add_argument("-k", dest="keyword", metavar="EXPR", help="only scenarios whose name matches EXPR (pytest's -k)")
    p.add_argument("-v", "--verbose", action="count", default=0, help="one line per scenario")
    p.add_argument("--coverage", action="store_true",
                   help="report, per partner, the operations, statuses, return codes, allocation levels, grammar "
                        "variants and optional fields the scenarios exercised, and those they never did")
    p.add_argument("--coverage-file", type=Path, metavar="FILE",
                   help="also write the coverage as JSON to FILE (implies --coverage)")
    p.add_argument("--html", type=Path, metavar="FILE",
                   help="also write a single-file HTML report to FILE: partners by operations, green / red / never "
                        "exercised, each cell opening the scenarios and exchanges behind it")
    p.set_defaults(func=run)


def _plugin_args(workers: str | None) -> list[str]:
    """``-p`` for the plugins pytest will not load by itself (not installed, or autoload turned off)."""
    autoload = not os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    ours = any(ep.value == "scenarios.plugin" for ep in entry_points(group="pytest11"))
    out = [] if autoload and ours else ["-p", "scenarios.plugin"]
    if workers is not None and not autoload:
        out += ["-p", "xdist.plugin"]
    return out


def pytest_args(args: argparse.Namespace, catalog: Path) -> list[str]:
    """The pytest command line for ``partnersim run``'s arguments."""
    argv = [str(p) for p in (args.paths or [catalog])]
    argv += ["-p", "no:cacheprovider"]  # write nothing next to the scenarios (the catalogue may be installed)
    # This process imported partnersim's own packages before pytest started (they hold no test asserts),
    # so pytest cannot rewrite them; an installed partnersim would warn about it on every run.
    argv += ["-W", "ignore::pytest.PytestAssertRewriteWarning"]
    argv += ["-v"] * args.verbose if args.verbose else ["-q"]
    argv += ["-ra"]  # the summary says why each scenario was skipped (an external client's program missing)
    if sys.stdout.isatty():  # a live count ("[ 12/140]") beside pytest's . and F; plain lines otherwise
        argv += ["-o", "console_output_style=count"]
    argv += _plugin_args(args.workers)
    if args.workers is not None:
        argv += ["-n", args.workers]
    if args.junit_xml is not None:
        argv += ["--junit-xml", str(args.junit_xml)]
    if args.keyword:
        argv += ["-k", args.keyword]
    return argv


class _CollectionErrors:
    """Notes a scenario that could not be collected (malformed). pytest alone exits 2 for it, but
    under pytest-xdist 1; the workers' collection reports reach this process either way."""

    def __init__(self) -> None:
        self.count = 0

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            self.count += 1


def run(args: argparse.Namespace) -> int:
    from scenarios import CATALOG

    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        print(f"partnersim run: no such file or folder: {', '.join(missing)}; give scenario files or folders, "
              "or nothing to run the shipped catalogue", file=sys.stderr)
        return EXIT_USAGE
    if args.workers is not None and importlib.util.find_spec("xdist") is None:
        print("partnersim run: -n needs pytest-xdist; install it with: pip install 'partnersim[test]'",
              file=sys.stderr)
        return EXIT_USAGE
    import pytest

    errors = _CollectionErrors()
    argv = pytest_args(args, CATALOG)
    coverage, html = bool(args.coverage or args.coverage_file), getattr(args, "html", None)
    if html:  # the plugin writes it, with or without workers
        argv += ["--partnersim-html", str(html)]
    import tempfile

    with tempfile.TemporaryDirectory(prefix="partnersim-run-") as tmp:
        collected_file = Path(tmp) / "coverage.json"
        if coverage:
            argv += ["--partnersim-coverage", str(collected_file)]
        code = int(pytest.main(argv, plugins=[errors]))
        if errors.count:
            return EXIT_USAGE
        if coverage and collected_file.exists():
            _report_coverage(collected_file, args.coverage_file)
    if html and Path(html).exists():
        print(f"HTML report written to {html}")
    return _EXIT.get(code, EXIT_USAGE)


def _report_coverage(collected_file: Path, out: Path | None) -> None:
    import json

    from scenarios.coverage import coverage_report, format_table, read_collected

    collected = read_collected(collected_file)
    report = coverage_report(collected, sorted(collected) or None)
    print()
    print(format_table(report))
    if out is not None:
        out.write_text(json.dumps({"version": 1, "partners": report}, indent=2) + "\n", encoding="utf-8")
        print(f"coverage written to {out}")
