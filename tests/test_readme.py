"""The README stays true: its commands, endpoint table and credentials are what the code does."""

from __future__ import annotations

import re
from pathlib import Path

import requests

from contracts import load_contract
from simulators import Credentials, ServerThread

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def _commands() -> list[str]:
    return re.findall(r"```sh\n(python3 -m venv[^\n]+)\n```", README)


def test_quick_start_has_two_one_line_commands_and_ci_runs_the_test_one() -> None:
    sandbox, tests = _commands()
    assert sandbox.endswith("partnersim up")
    assert "pytest -n auto" in tests
    assert tests in (ROOT / ".ci" / "run").read_text()


def test_endpoint_table_lists_every_operation_with_its_served_path(live: ServerThread) -> None:
    rows = re.findall(r"^\| `(\w+)\.(\w+)` \| (\w+) \| `([^`]+)` \|$", README, re.M)
    served = requests.get(f"{live.url}/__admin/partners").json()
    for name in served:
        documented = {f"{p}.{op}" for p, op, _, _ in rows if p == name}
        assert documented == {op.qualified for op in load_contract(name).operations()}, name
    for partner, operation, method, path in rows:
        info = next(o for o in load_contract(partner).operations() if o.name == operation)
        assert info.method == method
        assert served[partner]["endpoints"][operation] == f"{live.url}{path}"


def test_credentials_table_is_the_default_set() -> None:
    rows = dict(re.findall(r"^\| `(\w+)` \| `([^`]+)` \|", README, re.M))
    assert {k: rows[k] for k in Credentials().to_dict()} == Credentials().to_dict()


def test_the_curl_example_works(live: ServerThread) -> None:
    token = requests.post(f"{live.url}/imt/users/api/v1/tokens/", headers={"Content-Type": "application/vnd.api+json"},
                          json={"data": {"type": "Token", "attributes": {"username_or_email": "sandbox",
                                                                         "password": "sandbox"}}})
    assert '"username_or_email": "sandbox", "password": "sandbox"' in README
    auth = token.json()["data"]["attributes"]["auth"]
    r = requests.get(f"{live.url}/imt/billing/api/v2/accounts/ACCT0001/?customer_username=pat",
                     headers={"Authorization": auth})
    assert r.status_code == 200 and r.json()["attributes"]["bill_balance"] == 412.5
    assert "total due 1250.00, bill\nbalance 412.50" in README


def test_the_scenario_example_runs_and_passes(live: ServerThread, tmp_path: Path) -> None:
    from scenarios import run_scenario

    (example,) = re.findall(r"```yaml\n(version: 1\n.*?)```", README, re.S)
    path = tmp_path / "readme_example.yaml"
    path.write_text(example)
    result = run_scenario(path, live)
    assert result.passed, result.report()


def test_the_ci_example_is_ci_run_itself_and_its_commands_exist() -> None:
    import shlex

    from partnersim.cli import build_parser

    section = README.split("\n## CI\n", 1)[1].split("\n## ", 1)[0]
    ci = (ROOT / ".ci" / "run").read_text()
    assert f"```sh\n{ci}```" in section, "the README's CI example is .ci/run as it is"
    commands = re.findall(r"\.venv/bin/(partnersim [^\n;]+)", ci)
    assert len(commands) == 2, commands
    for command in commands:
        argv = shlex.split(command.replace('"$PARTNERSIM_BASE"', "HEAD"))[1:]
        assert build_parser().parse_args(argv).func, command
    sandbox, tests = _commands()
    assert tests in ci, "CI runs the README's test command"
