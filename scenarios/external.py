"""External clients: a ``run`` step starts a program instead of calling the Python adapter.

The bill-pay platform's production adapters need not be Python: a scenario can drive any program
against the sandbox and judge what the partner received (``expect.exchanges``) and holds afterwards
(``expect.ledger``), exactly as it judges a Python adapter::

    client:                                   # optional: what every run step starts
      command: [curl, --silent, --show-error]
      env: {TRACE: "1"}
      timeout: 10                             # seconds per step (default 10)
      requires: [curl]                        # not on PATH: the scenario is skipped, with the reason
    steps:
      - name: token
        run: {args: [--data, "...", "{partner}/users/api/v1/tokens/"]}
        capture: {token: {json: /data/attributes/auth}}
      - run: {args: [--header, "Authorization: {token}", "{partner}/billing/api/v2/accounts/{account}/"]}
        with: {account: ACCT0001}
        expect:
          result: {exit: 0, json: {attributes: {bill_balance: 412.5}}}

* The command is ``run.command`` (or ``client.command``), then ``run.args``; it is started without a
  shell (no quoting, globbing or ``$VAR``), in the scenario file's folder, so a script beside the
  scenario runs as ``[./client.sh]`` or ``[python3, client.py]``.
* ``{name}`` in the command, args, ``stdin`` and ``env`` values is replaced by: ``sandbox`` (the
  sandbox's base URL), ``partner`` (the scenario partner's mount URL, ``<sandbox>/<partner>``),
  ``setting_<id>`` (the biller's settings, as the Python adapter gets them), the step's ``with:`` values
  and the values captured by earlier steps. Other braces (JSON) are left alone; ``{{name}}`` is the
  literal ``{name}``. An unknown name is an error of the scenario when it is loaded.
* The environment is this process's, plus ``PARTNERSIM_URL``, ``PARTNERSIM_PARTNER``,
  ``PARTNERSIM_<PARTNER>_URL`` for every partner, ``PARTNERSIM_SETTING_<id>`` and
  ``PARTNERSIM_OPTION_<NAME>`` (the biller's settings and options), then ``client.env`` and ``run.env``.
  The sandbox's host is added to ``NO_PROXY``: the client talks to it directly.
* Standard input is ``run.stdin`` (templated), or nothing.
* The outcome is ``exit``, ``stdout``, ``stderr`` and, when stdout is JSON, ``json``, judged by
  ``expect.result``; a run step with no ``exit`` expectation must exit 0.
* ``capture: {name: {json: /pointer}}`` takes a value from stdout parsed as JSON, ``{matches: regex}``
  the regex's first group (or whole match) in stdout, for later steps' ``{name}`` (run steps' and send
  steps' alike; templating and captures are ``scenarios._template``'s).
* A command that is not found, cannot start or outlives its timeout (it is killed, with its children)
  fails the scenario with the command and its output; the later steps are not run.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from contracts import partner_names

from scenarios._template import as_text, base_names, base_values, capture, fill, placeholders, unknown
from scenarios._yaml import Path as DataPath
from scenarios.billers import biller_settings
from scenarios.model import NOT_GIVEN, Client, Scenario, Step

__all__ = ["CommandRun", "RESULT_FIELDS", "fill", "missing_programs", "placeholders", "run_problems", "run_program"]

#: What ``expect.result`` of a run step can name.
RESULT_FIELDS = ("exit", "stdout", "stderr", "json")
_REPORT_LIMIT = 4000
Problem = tuple[DataPath, str]


# -- checks on load -------------------------------------------------------------------------------
def run_problems(scenario: Scenario) -> Iterator[Problem]:
    """What the client or a run step needs that the scenario does not give (checked on load; the
    placeholders and captures of every step are checked by ``scenarios._template``)."""
    base = base_names(scenario)
    client = scenario.client or Client()
    for index, text in enumerate(client.command):
        yield from unknown(("client", "command", index), text, base, "client")
    for key, text in client.env.items():
        yield from unknown(("client", "env", key), text, base, "client")
    for step in scenario.steps:
        if step.kind != "run":
            continue
        at: DataPath = ("steps", step.index)
        if not step.run.get("command") and not client.command:
            yield (*at, "run"), ("a run step needs a program: give run.command, or client.command (at the top "
                                 "of the scenario) for every run step")
        yield from _expect_problems(step, at)


def _expect_problems(step: Step, at: DataPath) -> Iterator[Problem]:
    expect = step.expect
    if expect.error is not None:
        yield (*at, "expect", "error"), ("a run step has no error to expect (error names an adapter's error class); "
                                         "expect its result: exit, stdout, stderr, json")
    result = expect.result
    if result is NOT_GIVEN:
        return
    if not isinstance(result, Mapping):
        yield (*at, "expect", "result"), f"a run step's result is a mapping of {', '.join(RESULT_FIELDS)}"
        return
    for key in result:
        if key not in RESULT_FIELDS:
            yield (*at, "expect", "result", key), (f"unknown result field {key!r}; a run step's result has "
                                                   f"{', '.join(RESULT_FIELDS)} (json: stdout parsed as JSON)")


def missing_programs(scenario: Scenario) -> list[str]:
    """The programs of ``client.requires`` that are not on PATH (the scenario is skipped then)."""
    return [p for p in (scenario.client.requires if scenario.client else ()) if shutil.which(p) is None]


# -- running --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CommandRun:
    """What a run step did: the command as started, its exit code and output, and what it captured.

    ``problem`` says why the command did not run to its end (not found, not startable, timed out); then
    ``exit`` is None and the output is what it wrote before it was killed.
    """

    command: tuple[str, ...]
    cwd: str
    exit: int | None = None
    stdout: str = ""
    stderr: str = ""
    problem: str = ""
    seconds: float = 0.0
    captured: Mapping[str, str] = field(default_factory=dict)
    capture_problems: tuple[tuple[str, str], ...] = ()  # (name, why)

    def fields(self) -> dict[str, Any]:
        """The outcome as ``expect.result`` sees it; ``json`` only when stdout is JSON."""
        out: dict[str, Any] = {"exit": self.exit, "stdout": self.stdout, "stderr": self.stderr}
        try:
            out["json"] = json.loads(self.stdout)
        except (ValueError, RecursionError):
            pass
        return out

    def __str__(self) -> str:
        return f"ran {shlex.join(self.command)}: {self.problem or f'exit {self.exit}'}"

    def text(self) -> str:
        """The run as a report shows it: the command, where, the exit code, stdout and stderr."""
        lines = [f"$ {shlex.join(self.command)}", f"cwd: {self.cwd}",
                 f"exit: {self.exit if self.problem == '' else f'none ({self.problem})'}"]
        if self.captured:
            lines.append("captured: " + ", ".join(f"{k}={v!r}" for k, v in self.captured.items()))
        for name, text in (("stdout", self.stdout), ("stderr", self.stderr)):
            cut = text if len(text) <= _REPORT_LIMIT else text[:_REPORT_LIMIT] + f"\n... ({len(text)} characters in all)"
            lines.append(f"{name}:" + ("" if cut.strip() else " (empty)"))
            lines += ["  " + line for line in cut.rstrip("\n").splitlines()] if cut.strip() else []
        return "\n".join(lines)


def _environment(scenario: Scenario, base_url: str, settings: Mapping[str, Any],
                 extra: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTNERSIM_")}  # no stale sandbox of a shell
    env["PARTNERSIM_URL"] = base_url
    env["PARTNERSIM_PARTNER"] = scenario.partner
    for partner in partner_names():
        env[f"PARTNERSIM_{partner.upper()}_URL"] = f"{base_url}/{partner}"
    for key, value in dict(settings["settings"]).items():
        env[f"PARTNERSIM_SETTING_{key}"] = "" if value is None else as_text(value)
    for key, value in dict(settings["options"]).items():
        env[f"PARTNERSIM_OPTION_{str(key).upper()}"] = as_text(value)
    host = urlsplit(base_url).hostname or "127.0.0.1"
    for name in ("NO_PROXY", "no_proxy"):  # curl, requests, Go, ... would otherwise route it via a proxy
        env[name] = ",".join(p for p in (env.get(name, ""), host) if p)
    env.update(extra)
    return env


def _not_started(program: str, cwd: Path, exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        if "/" in program:
            return f"command not found: {program!r} (no such file in {cwd})"
        return (f"command not found: {program!r} is not on PATH; install it, or list it under client.requires to "
                "skip the scenario where it is missing")
    if isinstance(exc, PermissionError):
        return f"{program!r} cannot be executed ({exc.strerror}); make it executable or run it through its interpreter"
    return f"{program!r} could not be started: {exc}"


def _stop(process: subprocess.Popen[bytes]) -> tuple[bytes, bytes]:
    """Kill the command and whatever it started (its own session), and collect what it wrote."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        process.kill()
    try:
        return process.communicate(timeout=5)
    except subprocess.TimeoutExpired as exc:  # a child left the session and holds the pipes: give up on them
        process.kill()
        return (exc.stdout or b""), (exc.stderr or b"")


def _decode(data: bytes | None) -> str:
    return (data or b"").decode("utf-8", "replace")


def run_program(step: Step, scenario: Scenario, base_url: str, variables: dict[str, str]) -> CommandRun:
    """Run the step's command against the sandbox at ``base_url``; add what it captures to ``variables``."""
    client = scenario.client or Client()
    base_url = base_url.rstrip("/")
    settings = biller_settings(scenario.partner, scenario.given.biller, base_url)
    values = {**base_values(scenario, base_url, scenario.partner), **variables}
    values.update({str(k): fill(as_text(v), values) for k, v in step.args.items()})
    spec = step.run
    program = [str(part) for part in (spec.get("command") or client.command)]
    command = tuple(fill(part, values) for part in [*program, *(str(a) for a in spec.get("args") or [])])
    extra = {str(k): fill(str(v), values) for k, v in {**client.env, **dict(spec.get("env") or {})}.items()}
    stdin = fill(str(spec["stdin"]), values).encode("utf-8") if "stdin" in spec else None
    timeout = float(spec.get("timeout") or client.timeout)
    cwd = scenario.path.parent.resolve() if scenario.path else Path.cwd()
    started = time.monotonic()
    try:
        process = subprocess.Popen(  # a list, no shell: arguments are passed exactly as written
            command, cwd=cwd, env=_environment(scenario, base_url, settings, extra),
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    except OSError as exc:
        return CommandRun(command, str(cwd), problem=_not_started(command[0], cwd, exc))
    try:
        out, err = process.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        out, err = _stop(process)
        return CommandRun(command, str(cwd), None, _decode(out), _decode(err),
                          problem=f"timed out after {timeout:g} s and was killed (run.timeout or client.timeout)",
                          seconds=time.monotonic() - started)
    stdout = _decode(out)
    captured, problems = capture(step.capture, stdout)
    variables.update(captured)
    return CommandRun(command, str(cwd), process.returncode, stdout, _decode(err),
                      seconds=time.monotonic() - started, captured=captured, capture_problems=problems)
