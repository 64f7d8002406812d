"""The pytest plugin (entry point ``pytest11: partnersim``): scenarios as test items, and sandbox fixtures.

Collection: every ``*.yaml`` of the shipped catalogue, every YAML file named on the command line, and
any other ``*.yaml`` whose top level has ``version:`` and ``steps:`` (unrelated YAML is left alone).
A malformed scenario is a collection error naming file and line (pytest exits 2, as ``partnersim
run`` does).

Isolation: one sandbox per test process, in memory, on port 0, started on first use and stopped when
the session ends; each scenario resets it before it runs. Under ``pytest -n auto`` each worker process
has its own, so nothing is shared: no fixed port, no file.

Coverage: with ``--partnersim-coverage FILE`` (``partnersim run --coverage``) the exchanges of each scenario
are kept (``scenarios.coverage``) before the next scenario resets the sandbox; xdist workers hand theirs to
the controller through ``workeroutput``, and one JSON file is written at the end. ``--partnersim-html
FILE`` (``partnersim run --html``) keeps each scenario's outcome, report and exchanges the same way
and writes the HTML report (``scenarios.html_report``).

Fixtures for your own tests, in pytest-httpserver's style:

* ``partnersim_config`` (session): the ``SandboxConfig``; override it to change credentials or the
  token lifetime;
* ``partnersim_server`` (session): a started ``ServerThread`` over an in-memory sandbox;
* ``partnersim`` (function): the same server, reset to the demo data before the test; after the test,
  an error the sandbox raised while handling one of its requests fails it (``check_errors()``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from contracts import HarnessError

from scenarios.errors import ScenarioError, ScenarioFailed

if TYPE_CHECKING:
    from _pytest._code.code import ExceptionInfo, TerminalRepr

    from simulators import SandboxConfig, ServerThread

    from scenarios.coverage import CoverageCollector
    from scenarios.html_report import ResultsCollector
    from scenarios.model import Scenario

__all__ = ["ScenarioFile", "ScenarioItem", "partnersim", "partnersim_config", "partnersim_server"]

_CATALOG = Path(__file__).parent / "catalog"
_SERVER = pytest.StashKey["ServerThread"]()
_COVERAGE = pytest.StashKey["CoverageCollector"]()
_RESULTS = pytest.StashKey["ResultsCollector"]()
# each collector and the option naming its file (also its key in an xdist worker's workeroutput)
_COLLECTORS: tuple[tuple[pytest.StashKey[Any], str], ...] = (
    (_COVERAGE, "partnersim_coverage"), (_RESULTS, "partnersim_html"))
_SUFFIXES = (".yaml", ".yml")
# The sandbox's Spyne (2.14) warns on import: it vendors an old six whose import hook predates find_spec,
# and it imports cgi. Harmless on the supported Python; pyproject.toml ignores them inside this repo, and
# these lines do the same wherever the plugin runs (``partnersim run`` on someone's own scenarios).
_WARNING_FILTERS = (
    "ignore:_SixMetaPathImporter:ImportWarning",
    "ignore:'cgi' is deprecated:DeprecationWarning",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--partnersim-coverage", metavar="FILE", default=None,
                     help="write the contract coverage of the scenarios run to FILE (JSON; partnersim run --coverage)")
    parser.addoption("--partnersim-html", metavar="FILE", default=None,
                     help="write the single-file HTML report of the scenarios run to FILE (as partnersim run --html)")


def pytest_configure(config: pytest.Config) -> None:
    for line in _WARNING_FILTERS:
        config.addinivalue_line("filterwarnings", line)
    if config.getoption("partnersim_coverage", None):
        from scenarios.coverage import CoverageCollector

        config.stash[_COVERAGE] = CoverageCollector()
    if config.getoption("partnersim_html", None):
        from scenarios.html_report import ResultsCollector

        config.stash[_RESULTS] = ResultsCollector()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Coverage and the HTML report: a pytest-xdist worker hands its data to the controller; the controller
    (or a lone process) writes the file."""
    config = session.config
    workeroutput = getattr(config, "workeroutput", None)
    for key, option in _COLLECTORS:
        collector = config.stash.get(key, None)
        if collector is None:
            continue
        if workeroutput is not None:
            workeroutput[option] = collector.dumps()
        else:
            path = Path(config.getoption(option))
            path.parent.mkdir(parents=True, exist_ok=True)
            collector.write(path)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:  # pytest-xdist's controller: a worker finished
    import json

    for key, option in _COLLECTORS:
        collector = node.config.stash.get(key, None)
        data = getattr(node, "workeroutput", {}).get(option)
        if collector is not None and data:
            collector.merge(json.loads(data))


def _in_catalog(path: Path) -> bool:
    return path.resolve().is_relative_to(_CATALOG.resolve())


def _looks_like_scenario(path: Path) -> bool:
    from scenarios.loader import looks_like_scenario

    try:
        return looks_like_scenario(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return False


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix not in _SUFFIXES:
        return None
    if _in_catalog(file_path) or parent.session.isinitpath(file_path) or _looks_like_scenario(file_path):
        file: ScenarioFile = ScenarioFile.from_parent(parent, path=file_path)
        return file
    return None


class ScenarioFile(pytest.File):
    """One scenario file; it holds one item."""

    def collect(self) -> Iterator[pytest.Item]:
        from scenarios.loader import load_scenario

        scenario = load_scenario(self.path)
        item = ScenarioItem.from_parent(self, name=scenario.name, scenario=scenario)
        if scenario.xfail:  # strict: when the bug is fixed the scenario passes, and that fails until xfail goes
            item.add_marker(pytest.mark.xfail(reason=scenario.xfail, raises=ScenarioFailed, strict=True))
        yield item

    def repr_failure(self, excinfo: ExceptionInfo[BaseException]) -> str | TerminalRepr:  # type: ignore[override]
        if isinstance(excinfo.value, ScenarioError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


class ScenarioItem(pytest.Item):
    """A scenario as a test: run on this process's sandbox, fail with the side-by-side report."""

    def __init__(self, *, scenario: Scenario, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario

    def runtest(self) -> None:
        from scenarios.runner import run_scenario

        try:
            result = run_scenario(self.scenario, _process_server(self.config))
        except Exception as exc:  # a harness error: still a row of the HTML report
            self._keep_result("error", str(exc), [])
            raise
        collector = self.config.stash.get(_COVERAGE, None)
        if collector is not None:  # the journal of this scenario, before the next one resets the sandbox
            collector.add(self.scenario.name, result.exchanges)
        report = "" if result.passed else result.report()
        if result.skipped:
            outcome = "skipped"
        elif self.scenario.xfail:  # strict: a scenario marked xfail that passes fails the run
            outcome = "failed" if result.passed else "xfailed"
            report = report or f"passed, but it is marked xfail: {self.scenario.xfail}"
        else:
            outcome = "passed" if result.passed else "failed"
        self._keep_result(outcome, report, result.exchanges)
        if result.skipped:  # an external client's program is missing here (client.requires)
            pytest.skip(result.skipped)
        result.raise_for_failures()

    def _keep_result(self, outcome: str, report: str, exchanges: list[Any]) -> None:
        collector = self.config.stash.get(_RESULTS, None)
        if collector is not None:
            collector.add(name=self.scenario.name, title=self.scenario.title, place=self.scenario.place(),
                          partner=self.scenario.partner, outcome=outcome, report=report, exchanges=exchanges)

    def repr_failure(self, excinfo: ExceptionInfo[BaseException], style: Any = None) -> str | TerminalRepr:
        if isinstance(excinfo.value, (ScenarioFailed, HarnessError)):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        title = f": {self.scenario.title}" if self.scenario.title else ""
        return self.path, None, f"scenario {self.scenario.name}{title}"


def _process_server(config: pytest.Config) -> ServerThread:
    """This process's sandbox for scenario items (scenario items are not functions, so not a fixture)."""
    server = config.stash.get(_SERVER, None)
    if server is None:
        from simulators import Sandbox, ServerThread

        server = ServerThread(Sandbox()).start()
        config.stash[_SERVER] = server
        config.add_cleanup(server.stop)
    return server


@pytest.fixture(scope="session")
def partnersim_config() -> SandboxConfig:
    """The sandbox's configuration for ``partnersim_server``; override this fixture to change it."""
    from simulators import SandboxConfig

    return SandboxConfig()


@pytest.fixture(scope="session")
def partnersim_server(partnersim_config: SandboxConfig) -> Iterator[ServerThread]:
    """A sandbox served from this process on port 0, ready when handed out; stopped after the session."""
    from simulators import Sandbox, ServerThread

    server = ServerThread(Sandbox(":memory:", partnersim_config)).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def partnersim(partnersim_server: ServerThread) -> Iterator[ServerThread]:
    """The sandbox reset to its demo data; a sandbox error during the test fails the test."""
    partnersim_server.sandbox.reset()
    partnersim_server.sandbox.take_errors()
    yield partnersim_server
    partnersim_server.check_errors()
