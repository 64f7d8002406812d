"""Reports of ``partnersim run``: JUnit XML, the single-file HTML report (looked at in a real headless
browser), and plain output when stdout is not a terminal.

One run (two worker processes, so results travel from the workers to the controller) of three IMT
scenarios, one of them made to fail, serves every test of the module.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from scenarios import CATALOG
from scenarios.html_report import UNMATCHED, render_html

IMT = CATALOG / "imt"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class Run:
    def __init__(self, folder: Path, done: subprocess.CompletedProcess[str]) -> None:
        self.folder, self.done = folder, done
        self.html, self.junit = folder.parent / "out" / "report.html", folder.parent / "out" / "junit.xml"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    tmp = tmp_path_factory.mktemp("reports")
    folder = tmp / "cases"
    folder.mkdir()
    for name in ("bill_fetch.yaml", "autopay_set.yaml", "payment_card.yaml"):
        shutil.copy(IMT / name, folder / name)
    failing = folder / "payment_card.yaml"
    failing.write_text(failing.read_text().replace("payment_method: CREDIT_CARD", "payment_method: EFT"))
    done = subprocess.run([sys.executable, "-m", "partnersim", "run", str(folder),
                           "--html", str(tmp / "out" / "report.html"), "--junit-xml", str(tmp / "out" / "junit.xml")],
                          cwd=tmp, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    return Run(folder, done)


def test_junit_has_one_case_per_scenario_and_the_failure_shows_the_exchanges(run: Run) -> None:
    cases = {case.get("name"): case for case in ET.parse(run.junit).getroot().iter("testcase")}
    assert sorted(cases) == ["autopay_set", "bill_fetch", "payment_card"]
    assert [name for name, case in cases.items() if case.find("failure") is not None] == ["payment_card"]
    text = cases["payment_card"].find("failure").text or ""  # type: ignore[union-attr]
    assert "expected (scenario)" in text and "| received: journal #" in text
    assert "/data/attributes/payment_method: EFT" in text and '"payment_method": "CREDIT_CARD"' in text


def test_output_is_plain_lines_when_stdout_is_not_a_terminal(run: Run) -> None:
    out = run.done.stdout
    assert "\r" not in out and "\x1b" not in out, "no carriage returns or ANSI escapes in a CI log"
    assert "1 failed, 2 passed" in out and f"HTML report written to {run.html}" in out


def test_the_html_report_is_one_offline_file_with_everything_escaped(run: Run) -> None:
    page = run.html.read_text(encoding="utf-8")
    assert "http://" not in page.split("<body>")[0] and "<link" not in page and "src=" not in page
    assert 'class="fail" data-partner="imt" data-operation="post_payment"' in page
    assert 'class="never" data-partner="imt" data-operation="post_credit"' in page
    assert "&quot;payment_method&quot;: &quot;CREDIT_CARD&quot;" in page  # the exchange, escaped


def test_render_escapes_names_reports_and_exchanges() -> None:
    result: dict[str, Any] = {
        "name": "<b>x</b>", "title": "a & b", "place": "x.yaml:1", "partner": "imt", "outcome": "failed",
        "report": "expected <Data>", "exchanges": [
            {"partner": "imt", "operation": UNMATCHED, "status": 404, "yaml": "body: <![CDATA[<x/>]]>"}]}
    page = render_html([result])
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page and "a &amp; b" in page
    assert "expected &lt;Data&gt;" in page and "&lt;![CDATA[&lt;x/&gt;]]&gt;" in page
    assert f'data-operation="{UNMATCHED}"' in page  # an exchange no operation of the contract matches


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no chromium on PATH (apt-get install chromium): the HTML report is not checked in a browser")


def test_the_html_report_in_a_headless_browser(run: Run) -> None:
    executable = _chromium()
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install "
                                                                 "'partnersim[test]')")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(run.html.as_uri())

            def cell(operation: str) -> Any:
                return page.locator(f'#matrix td[data-partner="imt"][data-operation="{operation}"]')

            colours = {op: cell(op).evaluate("e => getComputedStyle(e).backgroundColor")
                       for op in ("post_payment", "get_bill", "post_credit")}
            assert colours == {"post_payment": "rgb(246, 193, 193)", "get_bill": "rgb(200, 236, 203)",
                               "post_credit": "rgb(226, 226, 226)"}, "red, green, grey"
            assert "1 failed" in cell("post_payment").inner_text()
            assert "never exercised" in cell("post_credit").inner_text()
            panel = page.locator("#cell-imt-post_payment")
            assert not panel.is_visible()
            cell("post_payment").locator("a").click()
            assert panel.is_visible()
            text = panel.inner_text()
            assert "payment_card" in text and "FAILED" in text
            assert "expected (scenario)" in text and '"payment_method": "CREDIT_CARD"' in text
            assert "method: POST" in text  # the exchange in the recorded-exchange format
            cell("get_bill").locator("a").click()
            assert not panel.is_visible() and "bill_fetch" in page.locator("#cell-imt-get_bill").inner_text()
        finally:
            browser.close()
