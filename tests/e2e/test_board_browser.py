"""The web board in headless Chromium (Debian's chromium, driven by Playwright) against the running stack + demo.

Installs chromium with apt-get when it is missing; skips, saying why, only where no browser can be installed.
Writes docs/board.png (the README's screenshot) when BOARD_SCREENSHOT=1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Servers
from tests.e2e.demo_stack import DemoStack, demo_stack

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
H1_FLAG_UNITS = {"工业运行股", "项目推进股", "办公室", "中小企业股"}
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "board.png"


def ensure_chromium() -> str:
    """The browser's path, installing Debian's chromium if needed; pytest.skip if that is impossible."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        pytest.skip("no chromium at /usr/bin/chromium and no root apt-get to install it")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for args in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium", "chromium-driver"]):
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            pytest.skip(f"chromium could not be installed ({' '.join(args)}): {done.stderr[-300:]}")
    return CHROMIUM


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    playwright = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[dev]' brings playwright")
    path = ensure_chromium()
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=FLAGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def stack(servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoStack]:
    with demo_stack(servers, tmp_path_factory.mktemp("board")) as s:
        yield s


def rows(page: Any, body: str) -> list[list[str]]:
    return [[c.strip() for c in r] for r in page.eval_on_selector_all(
        f"#{body} tr", "trs => trs.map(tr => [...tr.cells].map(td => td.innerText))")]  # fmt: skip


def show(page: Any, period_button: str | None = None, month: str | None = None) -> None:
    if period_button:
        page.click(f"#periods button[data-period='{period_button}']")
        period = period_button
    else:
        page.select_option("#month", month)
        period = str(month)
    page.wait_for_selector(f"body[data-ready='{period}']")


def test_the_board_shows_the_h1_flags_and_switches_periods(stack: DemoStack, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{stack.http}/board?campaign=c-demo-2026&period=2026-H1")
    page.wait_for_selector("body[data-ready='2026-H1']")
    assert page.inner_text("h1").startswith("创先争优排行榜")
    h1 = rows(page, "units-rows")
    assert len(h1) == 12
    leaders = {r[1] for r in h1 if r[0] == "1"}
    assert leaders == H1_FLAG_UNITS, h1
    assert all("🚩" in r[4] for r in h1 if r[1] in H1_FLAG_UNITS)
    assert "先锋旗" in page.inner_text("#award-list")
    if os.environ.get("BOARD_SCREENSHOT") == "1":
        page.screenshot(path=str(SCREENSHOT), full_page=False)

    show(page, "2026-Q1")
    assert {r[2] for r in rows(page, "units-rows")} == {"0.0"}  # nothing counts before the H1 awards
    show(page, month="2026-06")
    assert {r[1] for r in rows(page, "units-rows") if r[0] == "1"} == H1_FLAG_UNITS  # H1 awards count in June
    show(page, "2026-H2")
    h2 = rows(page, "units-rows")
    assert h2 != h1 and any(r[3].startswith(("▲", "▼")) for r in h2)  # movement against H1
    assert "上半年" in page.inner_text("#periods")

    page.click("#lang")
    page.wait_for_selector("html[lang='en']")
    assert page.inner_text("#units-board h2").startswith("Units")
    page.click("#units-rows a[data-unit='u-gongye']")
    page.wait_for_selector("#history:not([hidden]) #history-rows tr")
    assert "AwardGranted" in page.inner_text("#history-rows")
    assert errors == []
    page.close()
