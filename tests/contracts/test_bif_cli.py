"""``partnersim bif check``: the report and the exit codes (0 clean, 1 violations, 2 unreadable / unknown)."""

from __future__ import annotations

from pathlib import Path

import pytest

import contracts
from partnersim.cli import main

SAMPLE = Path(contracts.__file__).parent / "imt" / "sample.bif"
BROKEN = Path(__file__).parent / "data" / "imt_broken.bif"


def test_clean_sample_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bif", "check", str(SAMPLE)]) == 0
    out = capsys.readouterr().out
    assert out.strip() == f"{SAMPLE}: conforms (3 invoices, imt mapping)"


def test_broken_sample_exits_1_with_one_line_per_violation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bif", "check", str(BROKEN), "--partner", "imt"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == f"{BROKEN}: 16 violations (2 invoices, imt mapping)"
    assert len(lines) == 17
    assert lines[0].startswith("line 1 FileSpecID 2: expected a GUID")
    numbers = [int(line.split()[1]) for line in lines[:-1]]
    assert numbers == sorted(numbers)  # read top to bottom


def test_form_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    form = tmp_path / "form.txt"
    form.write_text(f"BillerGUID=G&CustomerRecord={lines[2]}&InvoiceHeaderRecord={lines[1]}\n", encoding="utf-8")
    assert main(["bif", "check", str(form), "--form"]) == 0
    assert main(["bif", "check", str(form)]) == 2  # a form is not a file
    assert "--form" in capsys.readouterr().err


def test_form_with_violation_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    form = tmp_path / "form.txt"
    form.write_text(f"CustomerRecord={lines[2]}&InvoiceHeaderRecord={lines[1].replace('8~N', '8~R')}", encoding="utf-8")
    assert main(["bif", "check", "--form", str(form)]) == 1
    assert capsys.readouterr().out.startswith("InvoiceHeaderRecord FileSpecID 8: expected 'N'")


def test_unknown_partner_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bif", "check", str(SAMPLE), "--partner", "nobody"]) == 2
    assert "no BIF mapping for partner 'nobody'" in capsys.readouterr().err


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bif", "check", str(tmp_path / "absent.bif")]) == 2
    assert "cannot read" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"1~FH|2\n", "line 1: pair 2 '2' is not FileSpecID~value"), (b"1~FH|60~Mu\xf1oz\n", "not utf-8 text")],
)
def test_unreadable_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str) -> None:
    path = tmp_path / "bad.bif"
    path.write_bytes(content)
    assert main(["bif", "check", str(path)]) == 2
    assert message in capsys.readouterr().err


def test_encoding_option(tmp_path: Path) -> None:
    path = tmp_path / "cp1252.bif"
    path.write_bytes(SAMPLE.read_bytes().replace(b"Casey Rivera", b"Casey Mu\xf1oz"))
    assert main(["bif", "check", str(path), "--encoding", "cp1252"]) == 0


def test_missing_action_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["bif"])
    assert exit_info.value.code == 2
