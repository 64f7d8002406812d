"""External clients: a ``run`` step starts a program, and the journal and the ledger judge what it did.

The client here is a Python script (``CLIENT``) run by this interpreter, so that these tests do not need
curl; the curl examples of the catalogue (``scenarios/catalog/external``) run as scenario items.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from scenarios import CATALOG, ScenarioError, load_scenario, run_scenario
from scenarios.external import CommandRun
from simulators import ServerThread

ROOT = Path(__file__).resolve().parents[2]

CLIENT = '''\
"""A tiny external client: what it does is its first argument."""
import json, os, subprocess, sys, time, urllib.request

what, args = sys.argv[1], sys.argv[2:]
if what == "argv":
    print(json.dumps(args))
elif what == "env":
    print(json.dumps({k: v for k, v in os.environ.items() if k.startswith(("PARTNERSIM_", "MY_", "NO_PROXY"))}))
elif what == "stdin":
    print(sys.stdin.read().upper(), end="")
elif what == "exit":
    print("out before exit")
    print("err before exit", file=sys.stderr)
    sys.exit(int(args[0]))
elif what == "sleep":
    print("started", flush=True)
    subprocess.run([sys.executable, "-c", "import time; time.sleep(60)"])  # a child: killed with it
elif what == "token":  # IMT's token call, as a production client in any language would send it
    body = {"data": {"type": "Token", "attributes": {"username_or_email": args[0], "password": args[1]}}}
    request = urllib.request.Request(os.environ["PARTNERSIM_SETTING_88"], data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/vnd.api+json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            print(answer.read().decode())
    except urllib.error.HTTPError as error:
        print(error.read().decode())
        print(f"HTTP {error.code}", file=sys.stderr)
        sys.exit(22)
'''

HEAD = """\
version: 1
partner: imt
client:
  command: [{python}, client.py]
  env: {{MY_BASE: "{{sandbox}}/x"}}
  timeout: 10
"""


def write(tmp_path: Path, steps: str, head: str = HEAD) -> Path:
    """A scenario beside the client script; the client is started in this folder."""
    (tmp_path / "client.py").write_text(CLIENT, encoding="utf-8")
    path = tmp_path / "scenario.yaml"
    path.write_text(head.format(python=json.dumps(sys.executable)) + textwrap.dedent(steps), encoding="utf-8")
    return path


def outcome(record: Any) -> CommandRun:
    assert isinstance(record.outcome, CommandRun)
    return record.outcome


def test_the_environment_carries_the_sandbox_urls_and_the_biller_settings(
        tmp_path: Path, partnersim: ServerThread, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTNERSIM_SETTING_999", "stale, from the shell")
    path = write(tmp_path, """\
        steps:
          - run: {args: [env], env: {MY_STEP: "{who}"}}
            with: {who: step one}
            expect:
              result: {exit: 0, json: {PARTNERSIM_URL: present, PARTNERSIM_SETTING_89: sandbox}}
        """)
    result = run_scenario(path, partnersim)
    assert result.passed, result.report()
    env = outcome(result.steps[0]).fields()["json"]
    url = partnersim.url.rstrip("/")
    assert env["PARTNERSIM_URL"] == url and env["PARTNERSIM_PARTNER"] == "imt"
    assert {env[f"PARTNERSIM_{p}_URL"] for p in ("IMT", "TCCS", "SAPIENS", "SPECTRUM")} == {
        f"{url}/imt", f"{url}/tccs", f"{url}/sapiens", f"{url}/spectrum"}
    assert env["PARTNERSIM_SETTING_88"] == f"{url}/imt/users/api/v1/tokens/"
    assert env["PARTNERSIM_OPTION_TIMEOUT"] == "10"
    assert "PARTNERSIM_SETTING_999" not in env, "a sandbox of the calling shell does not leak in"
    assert env["MY_BASE"] == f"{url}/x" and env["MY_STEP"] == "step one"
    assert "127.0.0.1" in env["NO_PROXY"].split(",")


def test_arguments_are_templated_passed_without_a_shell_and_captures_reach_later_steps(
        tmp_path: Path, partnersim: ServerThread) -> None:
    path = write(tmp_path, """\
        steps:
          - name: first
            run: {args: [argv, t-1, 'n=7 {"json": "braces stay"}', "$HOME", "a b;c"]}
            capture: {token: {json: /0}, raw: {matches: 'n=(\\d+)'}}
            expect:
              result: {exit: 0, stdout: {contains: $HOME}}
          - run: {args: [argv, "{token}", "{raw}", "{partner}", "{setting_89}", "{amount}", "{{token}}"]}
            with: {amount: "100.00"}
            expect:
              result: {json: [t-1, "7", present, sandbox, "100.00", "{token}"]}
          - run: {args: [stdin], stdin: "token {token}\\n"}
            expect:
              result: {stdout: "TOKEN T-1\\n", stderr: ""}
        """)
    result = run_scenario(path, partnersim)
    assert result.passed, result.report()
    first = outcome(result.steps[0])
    assert first.fields()["json"] == ["t-1", 'n=7 {"json": "braces stay"}', "$HOME", "a b;c"], "no shell"
    assert first.captured == {"token": "t-1", "raw": "7"}
    assert outcome(result.steps[1]).fields()["json"][2] == f"{partnersim.url.rstrip('/')}/imt"
    assert Path(first.cwd) == tmp_path.resolve(), "started in the scenario's folder"


def test_an_exit_code_is_expected_like_a_result_and_is_0_unless_stated(tmp_path: Path, partnersim: ServerThread) -> None:
    ok = write(tmp_path, """\
        steps:
          - run: {args: [exit, "3"]}
            expect:
              result: {exit: 3, stdout: "out before exit\\n", stderr: {contains: err before}}
        """)
    assert run_scenario(ok, partnersim).passed
    failing = write(tmp_path, """\
        steps:
          - run: {args: [exit, "3"]}
          - run: {args: [argv, never]}
        """)
    result = run_scenario(failing, partnersim)
    report = result.report()
    assert not result.passed and len(result.steps) == 1, "a wrong exit code stops the run"
    assert "steps[0] run: the command's outcome differs from the expected one" in report
    assert "result.exit: expected 0, found 3" in report
    assert "(exit: 0 unless the step expects another)" in report
    assert f"$ {sys.executable} client.py exit 3" in report
    assert "out before exit" in report and "err before exit" in report
    assert "(1 later step not run)" in report


def test_a_command_that_outlives_its_timeout_is_killed_with_its_children_and_fails(
        tmp_path: Path, partnersim: ServerThread) -> None:
    path = write(tmp_path, """\
        steps:
          - run: {args: [sleep], timeout: 3}
          - run: {args: [argv, never]}
        """)
    started = time.monotonic()
    result = run_scenario(path, partnersim)
    assert time.monotonic() - started < 45, "the child holding the pipes (a 60 s sleep) was killed too"
    report = result.report()
    assert not result.passed and len(result.steps) == 1
    assert "steps[0] run: timed out after 3 s and was killed" in report
    assert "exit: none (timed out" in report and "started" in report, "what it wrote before"
    assert "Traceback" not in report


@pytest.mark.parametrize(("command", "says"), [
    ('["partnersim-no-such-program"]', "command not found: 'partnersim-no-such-program' is not on PATH"),
    ('["./missing.sh"]', "command not found: './missing.sh' (no such file in"),
    ('["./client.py"]', "'./client.py' cannot be executed"),
])
def test_a_command_that_cannot_start_is_a_clear_failure_not_a_traceback(
        tmp_path: Path, partnersim: ServerThread, command: str, says: str) -> None:
    path = write(tmp_path, f"""\
        steps:
          - run: {{command: {command}}}
        """)
    result = run_scenario(path, partnersim)
    report = result.report()
    assert not result.passed and says in report, report
    assert "Traceback" not in report


def test_a_failing_exchange_expectation_shows_the_command_its_output_and_the_exchange(
        tmp_path: Path, partnersim: ServerThread) -> None:
    path = write(tmp_path, """\
        steps:
          - run: {args: [token, "{setting_89}", wrong-password]}
            expect:
              result: {exit: 22}
              exchanges:
                - {operation: imt.token, response: {status: 200}}
        """)
    result = run_scenario(path, partnersim)
    report = result.report()
    assert not result.passed
    assert "expected at least one imt.token exchange matching during steps[0] run" in report
    assert "response status: expected 200, found 401" in report
    assert "journal #" in report and "imt.token -> 401" in report, "the exchange, from the journal"
    assert "the step ran:" in report and "client.py token sandbox wrong-password" in report
    assert "HTTP 401" in report, "its stderr"
    assert '"errors"' in report, "its stdout"


def test_the_journal_and_the_ledger_judge_an_external_client(tmp_path: Path, partnersim: ServerThread) -> None:
    path = write(tmp_path, """\
        steps:
          - run: {args: [token, "{setting_89}", "{setting_90}"]}
            capture: {auth: {json: /data/attributes/auth}}
            expect:
              exchanges:
                - {operation: imt.token, count: 1, request: {/data/type: Token}, response: {status: 200}}
        expect:
          exchanges:
            - {operation: imt.token, count: 1}
          ledger:
            ACCT0001: {balance: {total_due: 1250.00}}
        """)
    result = run_scenario(path, partnersim)
    assert result.passed, result.report()
    assert outcome(result.steps[0]).captured["auth"]


def test_a_value_that_cannot_be_captured_fails_the_step_and_stops(tmp_path: Path, partnersim: ServerThread) -> None:
    path = write(tmp_path, """\
        steps:
          - run: {args: [argv, x]}
            capture: {token: {json: /data/attributes/auth}, code: {matches: 'code=(\\d+)'}}
          - run: {args: [argv, "{token}"]}
        """)
    result = run_scenario(path, partnersim)
    report = result.report()
    assert len(result.steps) == 1
    assert "cannot capture token: stdout's JSON has nothing at /data/attributes/auth" in report
    assert "cannot capture code: stdout has no match for 'code=(\\\\d+)'" in report


def test_a_missing_required_program_skips_the_scenario_with_the_reason(tmp_path: Path, partnersim: ServerThread) -> None:
    path = write(tmp_path, """\
        steps:
          - run: {args: [argv]}
        """, head=HEAD + "  requires: [partnersim-no-such-program]\n")
    result = run_scenario(path, partnersim)
    assert result.skipped.startswith("partnersim-no-such-program not found on PATH (client.requires of ")
    assert not result.steps and "skipped: partnersim-no-such-program" in result.report()
    result.raise_for_failures()  # a skip is not a failure


def test_the_plugin_reports_a_missing_program_as_a_skip(tmp_path: Path) -> None:
    folder = tmp_path / "cases"
    folder.mkdir()
    write(folder, """\
        steps:
          - run: {args: [argv]}
        """, head=HEAD + "  requires: [partnersim-no-such-program]\n")
    done = subprocess.run([sys.executable, "-m", "partnersim", "run", str(folder)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 skipped" in done.stdout and "partnersim-no-such-program not found on PATH" in done.stdout


def test_the_curl_examples_skip_where_curl_is_missing(partnersim: ServerThread, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("scenarios.external.shutil.which", lambda name: None)
    examples = sorted((CATALOG / "external").glob("*.yaml"))
    assert len(examples) >= 3
    for path in examples:
        result = run_scenario(path, partnersim)
        assert result.skipped.startswith("curl not found on PATH"), path


def test_the_curl_examples_cover_an_imt_token_and_rtdr_a_tccs_payment_and_spectrum() -> None:
    scenarios = [load_scenario(p) for p in sorted((CATALOG / "external").glob("*.yaml"))]
    assert all(s.client and "curl" in s.client.requires and all(st.kind == "run" for st in s.steps) for s in scenarios)
    checked = {e.operation for s in scenarios for st in s.steps for e in st.expect.exchanges}
    assert {"imt.token", "imt.rtdr_v2", "tccs.Pay_Input", "spectrum.token", "spectrum.online_receipt"} <= checked
    assert any(st.capture for s in scenarios for st in s.steps), "a value passed between steps"
    assert any("--data-urlencode" in st.run.get("args", []) for s in scenarios for st in s.steps)
    assert all(s.ledger for s in scenarios if s.partner in ("tccs", "spectrum"))


def test_the_readme_example_is_the_catalogue_scenario() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"```yaml\n# (scenarios/catalog/external/\S+\.yaml)\n(.*?)```", readme, re.S)
    assert (ROOT / example[0]).read_text(encoding="utf-8") == example[1]


# -- malformed run steps are errors of the scenario, naming the line ----------------------------------
@pytest.mark.parametrize(("steps", "line", "says"), [
    ('  - run: {args: ["{nope}"]}\n', 8, "unknown placeholder {nope}; this step knows: partner, sandbox, setting_8"),
    ('  - run: {args: [a]}\n    capture: {t: {json: /t}}\n  - run: {args: ["{t}", "{u}"]}\n', 10,
     "unknown placeholder {u}"),
    ('  - clock: {advance: 1}\n    capture: {t: {json: /t}}\n', 9, "capture takes a value from a run step's output"),
    ('  - run: {args: [a]}\n    with: {amount: 100.00}\n', 9, "expected text (a value for {name} in the run step"),
    ('  - run: {args: [a]}\n    expect: {error: PartnerRejected}\n', 9, "a run step has no error to expect"),
    ('  - run: {args: [a]}\n    expect: {result: {code: 0}}\n', 9, "unknown result field 'code'"),
    ('  - run: {args: [a]}\n    capture: {sandbox: {json: /t}}\n', 9, "'sandbox' is already a placeholder here"),
])
def test_a_malformed_run_step_is_an_error_naming_the_line(tmp_path: Path, steps: str, line: int, says: str) -> None:
    path = write(tmp_path, "steps:\n" + steps)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert says in str(info.value)
    assert info.value.line == line, str(info.value)


def test_a_run_step_needs_a_program(tmp_path: Path) -> None:
    path = write(tmp_path, "steps:\n  - run: {args: [a]}\n", head="version: 1\npartner: imt\n")
    with pytest.raises(ScenarioError, match=r"a run step needs a program: give run.command, or client.command"):
        load_scenario(path)
