from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from contracts.imt import HERE
from partnersim.cli import main


def test_verify_is_clean_on_the_shipped_contracts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify"]) == 0
    out = capsys.readouterr().out
    assert "imt: openapi document valid" in out and "OK: 0 violation(s)" in out


def test_verify_fails_on_a_broken_exchange_and_says_where(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(HERE / "exchanges" / "04_post_payment.yaml", tmp_path / "ok.yaml")
    broken = (HERE / "exchanges" / "04_post_payment.yaml").read_text().replace('"payment_method": "CHECK"',
                                                                               '"payment_method": "CASH"')
    (tmp_path / "broken.yaml").write_text(broken)
    assert main(["verify", "--partner", "imt", "--exchanges", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "ok   imt-post-payment-design" in out
    assert "FAIL imt-post-payment-design" in out
    assert "body /data/attributes/payment_method" in out and '"CASH"' in out


def test_verify_reports_an_unreadable_exchange(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.yaml").write_text("version: 9\npartner: imt\nrequest: {method: GET, path: /}\n")
    assert main(["verify", "--partner", "imt", "--exchanges", str(tmp_path), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["violations"] == 1 and "version 9" in report["partners"][0]["exchanges"][0]["violations"][0]["found"]


@pytest.mark.parametrize("argv", [["verify", "--partner", "nobody"], ["verify", "--exchanges", "x"], ["nonsense"]])
def test_usage_errors_exit_2(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        code = main(argv)
        raise SystemExit(code)
    assert exc.value.code == 2
