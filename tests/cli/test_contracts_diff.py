"""``partnersim contracts diff``: folders, documents, git revisions, exit codes and both formats."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import contracts
from partnersim.cli import main

CONTRACTS = Path(contracts.__file__).resolve().parent
README = (CONTRACTS.parent / "README.md").read_text(encoding="utf-8")
_IGNORE = shutil.ignore_patterns("*.py", "__pycache__", "exchanges")


def _copy(tmp_path: Path, partner: str = "tccs") -> tuple[Path, Path]:
    old, new = tmp_path / "old" / partner, tmp_path / "new" / partner
    shutil.copytree(CONTRACTS / partner, old, ignore=_IGNORE)
    shutil.copytree(old, new)
    return old, new


def _edit(path: Path, before: str, after: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(before) == 1, f"{path.name}: {before!r} is not in the shipped contract exactly once"
    path.write_text(text.replace(before, after), encoding="utf-8")


def _make_required(folder: Path) -> None:
    _edit(folder / "grammars.yaml", 'syntax: "invoice | amount : payment_type [@ payment_guid]"',
          'syntax: "invoice | amount : payment_type @ payment_guid"')


def _run(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:  # argparse's own usage errors
        return int(exc.code or 0)


def test_a_breaking_change_exits_1_and_names_whom_it_breaks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = _copy(tmp_path)
    _make_required(new)
    assert main(["contracts", "diff", str(old), str(new)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == ["BREAKING (clients) tccs Pay_Input: contentInfo field payment_guid made required (variant payment)",
                   "FAILED: 1 breaking, 0 compatible change(s)"]
    assert "```\n" + "\n".join(out) + "\n```" in README  # the README's example prints what the command prints


def test_a_compatible_change_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = _copy(tmp_path)
    _edit(new / "grammars.yaml", "pattern: 'CC|ACH'", "pattern: 'CC|ACH|CHECK'")
    assert main(["contracts", "diff", str(old), str(new)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "ok tccs Pay_Input: contentInfo field payment_type: value(s) CHECK added",
        "OK: 1 compatible change(s), none breaking"]


@pytest.mark.parametrize("partner", ["imt", "spectrum", "tccs", "sapiens"])
def test_no_change_exits_0(tmp_path: Path, partner: str, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = _copy(tmp_path, partner)
    assert main(["contracts", "diff", str(old), str(new)]) == 0
    assert capsys.readouterr().out == "OK: no change\n"


def test_json_format_and_two_documents(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = _copy(tmp_path, "sapiens")
    _edit(new / "xsd" / "remitBatch-post.xsd", '<xs:element name="notes" type="text" minOccurs="0">',
          '<xs:element name="notes" type="text">')
    code = main(["contracts", "diff", str(old / "xsd" / "remitBatch-post.xsd"), str(new / "xsd" / "remitBatch-post.xsd"),
                 "--partner", "sapiens", "--format", "json"])
    assert code == 1
    report = json.loads(capsys.readouterr().out)
    assert report["breaking"] == 1 and report["compatible"] == 0
    (change,) = report["changes"]
    assert change["breaks"] == ["clients", "partner"]  # a lone XSD has no side: judged as both
    assert change["partner"] == "sapiens" and change["document"] == "remitBatch-post.xsd"
    assert change["message"] == "element /remitBatch/remit/notes made required"


def test_a_whole_contracts_tree_and_partner_filter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _copy(tmp_path, "tccs")
    old, new = _copy(tmp_path, "imt")
    _edit(new / "openapi.yaml", '        "409": { $ref: "#/components/responses/Conflict" }\n', "")
    assert main(["contracts", "diff", str(tmp_path / "old"), str(tmp_path / "new")]) == 1
    assert "BREAKING (clients) imt post_payment: response 409 removed" in capsys.readouterr().out
    assert main(["contracts", "diff", str(tmp_path / "old"), str(tmp_path / "new"), "--partner", "tccs"]) == 0


@pytest.mark.parametrize("argv", [
    ["contracts", "diff"],
    ["contracts", "diff", "only-one"],
    ["contracts", "diff", "a", "b", "--base", "HEAD"],
    ["contracts", "diff", "--head", "HEAD"],
    ["contracts", "diff", "nowhere", "nothing"],
    ["contracts", "diff", "x", "y", "--format", "xml"],
])
def test_usage_errors_exit_2(argv: list[str]) -> None:
    assert _run(argv) == 2


def test_unlike_documents_are_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, _ = _copy(tmp_path)
    assert _run(["contracts", "diff", str(old / "openapi.yaml"), str(old / "grammars.yaml")]) == 2
    assert "different kinds" in capsys.readouterr().err
    assert _run(["contracts", "diff", str(old), str(old / "grammars.yaml")]) == 2


def _git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=partnersim", "-c", "user.email=ci@partnersim.test",
                    "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
                   check=True, capture_output=True, env=env)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_base_revision_against_the_working_tree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    for partner in ("tccs", "sapiens"):
        shutil.copytree(CONTRACTS / partner, repo / "contracts" / partner, ignore=_IGNORE)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "contracts")
    assert main(["contracts", "diff", "--base", "HEAD", "--repo", str(repo)]) == 0
    assert capsys.readouterr().out == "OK: no change\n"

    _make_required(repo / "contracts" / "tccs")
    assert main(["contracts", "diff", "--base", "HEAD", "--repo", str(repo)]) == 1
    assert ("BREAKING (clients) tccs Pay_Input: contentInfo field payment_guid made required (variant payment)"
            in capsys.readouterr().out)
    assert main(["contracts", "diff", "--base", "HEAD", "--repo", str(repo), "--partner", "sapiens"]) == 0
    capsys.readouterr()

    _git(repo, "commit", "-q", "-am", "payment_guid required")
    assert main(["contracts", "diff", "--base", "HEAD~1", "--head", "HEAD", "--repo", str(repo), "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["breaking"] == 1
    assert main(["contracts", "diff", "--base", "HEAD", "--repo", str(repo)]) == 0
    capsys.readouterr()
    assert main(["contracts", "diff", "--base", "no-such-rev", "--repo", str(repo)]) == 2
    assert "not a revision" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_base_revision_from_the_checkout_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """CI runs it from the checkout without --repo; a partner new since the base is an addition."""
    repo = tmp_path / "repo"
    shutil.copytree(CONTRACTS / "tccs", repo / "contracts" / "tccs", ignore=_IGNORE)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "tccs")
    shutil.copytree(CONTRACTS / "imt", repo / "contracts" / "imt", ignore=_IGNORE)
    monkeypatch.chdir(repo)
    assert main(["contracts", "diff", "--base", "HEAD"]) == 0
    assert capsys.readouterr().out.splitlines() == ["ok imt: contract added", "OK: 1 compatible change(s), none breaking"]
