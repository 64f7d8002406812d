"""``partnersim fault add|list|remove|clear`` against the in-process sandbox."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from partnersim.cli import main
from simulators import ServerThread


def fault(live: ServerThread, *argv: str) -> int:
    return main(["fault", *argv[:1], "--url", live.url, *argv[1:]])


def plans(live: ServerThread) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = requests.get(f"{live.url}/__admin/faults").json()["faults"]
    return listed


def test_add_from_flags_list_remove_and_clear(live: ServerThread, capsys: pytest.CaptureFixture[str]) -> None:
    assert fault(live, "add", "--operation", "imt.post_payment", "--status", "503", "--times", "2") == 0
    assert fault(live, "add", "--partner", "tccs", "--operation", "Pay_Input", "--where", "contentInfo amount=24.00",
                 "--where", "form entryKey~=^sand", "--drop", "after") == 0
    assert fault(live, "add", "--partner", "sapiens", "--operation", "post_payment", "--answer", "return_code=FAILURE",
                 "--message", "no", "--then-answer", "--times", "forever") == 0
    assert fault(live, "add", "--operation", "imt.rtdr_v2", "--delay", "0.5..1.5") == 0
    assert fault(live, "add", "--operation", "imt.rtdr_v1", "--drop") == 0
    first, second, third, fourth, fifth = plans(live)
    assert (first["status"], first["times"]) == (503, 2)
    assert second["where"] == {"contentInfo amount": "24.00", "form entryKey": {"matches": "^sand"}}
    assert second["drop"] == "after"
    assert third["answer"] == {"return_code": "FAILURE", "message": "no"} and third["then_answer"] is True
    assert third["times"] is None
    assert fourth["delay"] == {"min": 0.5, "max": 1.5} and fifth["drop"] is True
    capsys.readouterr()
    assert fault(live, "list") == 0
    out = capsys.readouterr().out
    assert f"{first['id']:>4}  imt.post_payment  status 503  (2 of 2 left, applied 0)" in out
    assert "sapiens.post_payment then_answer  answer {" in out and "until removed" in out
    assert fault(live, "list", "--json") == 0
    assert len(json.loads(capsys.readouterr().out)["faults"]) == 5
    assert fault(live, "remove", str(first["id"])) == 0
    assert fault(live, "remove", str(first["id"])) == 1
    assert "refused (HTTP 404): no fault plan" in capsys.readouterr().err
    assert fault(live, "clear") == 0
    assert "cleared 4 fault plan(s)" in capsys.readouterr().out and plans(live) == []
    assert fault(live, "list") == 0 and "no fault plans" in capsys.readouterr().out


def test_add_from_json(live: ServerThread) -> None:
    assert fault(live, "add", "--json", '{"operation": "imt.post_payment", "token": "expired"}') == 0
    assert plans(live)[0]["token"] == "expired"


def test_a_plan_the_sandbox_refuses_exits_1_with_its_message(live: ServerThread,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert fault(live, "add", "--partner", "imt", "--answer", "return_code=FAILURE") == 1
    assert "refused (HTTP 400): answer: imt gives no 'return_code' answer" in capsys.readouterr().err
    assert plans(live) == []


@pytest.mark.parametrize(("argv", "says"), [
    (["add", "--json", "{", "--partner", "imt"], "give no other flag"),
    (["add", "--json", "{"], "not JSON"),
    (["add", "--partner", "imt", "--delay", "soon"], "--delay: expected seconds"),
    (["add", "--partner", "imt", "--answer", "FAILURE"], "expected KIND=CODE"),
    (["add", "--partner", "imt", "--status", "503", "--message", "x"], "--message goes with --answer"),
    (["add", "--partner", "imt", "--status", "503", "--times", "twice"], "whole number or 'forever'"),
    (["add", "--partner", "imt", "--status", "503", "--where", "novalue"], "FIELD=VALUE"),
])
def test_flags_that_make_no_plan_exit_2(live: ServerThread, capsys: pytest.CaptureFixture[str], argv: list[str],
                                        says: str) -> None:
    assert fault(live, *argv) == 2
    assert says in capsys.readouterr().err


def test_two_effects_are_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["fault", "add", "--status", "503", "--token", "expired"])
    assert exc.value.code == 2


def test_no_sandbox_at_the_url_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fault", "list", "--url", "http://127.0.0.1:9"]) == 2
    assert "no sandbox answers at http://127.0.0.1:9" in capsys.readouterr().err


def test_the_readme_fault_examples_run(live: ServerThread, capsys: pytest.CaptureFixture[str]) -> None:
    import re
    import shlex
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme[readme.index("## Fault plans"):]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    lines = block.group(1).replace("\\\n", " ").splitlines()
    commands = [shlex.split(line, comments=True) for line in lines if line.startswith("partnersim fault")]
    assert [c[2] for c in commands] == ["add", "add", "add", "list", "remove"]
    for command in commands[:4]:
        assert main([*command[1:3], "--url", live.url, *command[3:]]) == 0, capsys.readouterr().err
    curl = next(line for line in lines if line.startswith("curl") or "-d '" in line)
    doc = json.loads(re.search(r"-d '([^']*)'", curl).group(1))  # type: ignore[union-attr]
    assert requests.post(f"{live.url}/__admin/faults", json=doc).status_code == 201
    assert len(plans(live)) == 4
