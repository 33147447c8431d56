"""`magtui serve` in a real browser: headless Debian Chromium driven by selenium, keys typed
into the page as a clinician types them, the terminal read as the page drew it.

Reading the screen: textual-serve draws with xterm.js on a canvas, and keeps its Terminal in
a closure. A script injected before the page's own (`Page.addScriptToEvaluateOnNewDocument`)
notes the Terminal as textual.js stores it (`this.terminal = new Terminal(…)`), and the test
reads the rows from its buffer (xterm.js's public `buffer.active.getLine(y)
.translateToString()`): the text exactly as the page shows it. A screenshot is kept too.

Skipped only where Chromium or ChromeDriver is absent (`.ci/run` installs Debian's chromium
and chromium-driver); chromedriver is given by path, so selenium-manager never downloads.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SHOT_FOR_REVIEW = os.environ.get("MAGTUI_REVIEW_SHOT", "")
"""Where to copy the screenshot for a person to look at after the run (unset: kept only in
the test's own temporary folder)."""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
        reason=f"the browser could not be installed: {CHROMIUM} or {CHROMEDRIVER} is missing "
        "(.ci/run installs Debian's chromium and chromium-driver; by hand: apt-get install "
        "chromium chromium-driver)"),
]

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1280,900")
"""What works on these machines: without the background-networking flags Chromium keeps
trying hosts the closed network refuses."""

NOTE_TERMINAL = """
Object.defineProperty(Object.prototype, 'terminal', {
  configurable: true,
  get() { return undefined; },
  set(value) {
    Object.defineProperty(this, 'terminal',
                          {value, writable: true, configurable: true, enumerable: true});
    if (value && typeof value.write === 'function' && value.buffer) {
      (window.__magtuiTerminals = window.__magtuiTerminals || []).push(value);
    }
  },
});
"""
"""Injected before textual.js: keeps each xterm.js Terminal it creates where a test reads it."""

READ_SCREEN = """
const terminal = (window.__magtuiTerminals || [])[0];
if (!terminal) { return null; }
const buffer = terminal.buffer.active, rows = [];
for (let y = 0; y < terminal.rows; y++) {
  const line = buffer.getLine(buffer.viewportY + y);
  rows.push(line ? line.translateToString(true) : '');
}
return rows.join('\\n');
"""


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    """Headless Chromium through chromedriver, both in a process group this test owns."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    # chromedriver (and the Chromium it starts) lead a process group of their own, so the
    # finaliser can end exactly them, whatever state the browser is in.
    service = Service(executable_path=str(CHROMEDRIVER),
                      log_output=str(tmp_path / "chromedriver.log"),
                      popen_kw={"start_new_session": True})
    driver = webdriver.Chrome(service=service, options=options)
    group = service.process.pid
    try:
        driver.set_page_load_timeout(30)
        yield driver
    finally:
        with contextlib.suppress(Exception):
            driver.quit()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)


def _screen(driver: Any) -> str:
    return driver.execute_script(READ_SCREEN) or ""


def _wait_for(driver: Any, *texts: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while True:
        screen = _screen(driver)
        if all(text in screen for text in texts):
            return screen
        if time.monotonic() > deadline:
            raise AssertionError(f"{texts!r} never appeared; the page showed:\n{screen}")
        time.sleep(0.2)


def test_a_red_flag_ticked_by_keyboard_in_the_browser_reads_emergency(
        serve_magtui: Any, browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    started = time.monotonic()
    served = serve_magtui()
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": NOTE_TERMINAL})
    browser.get(served.url)
    assert "<div>magtui</div>" in browser.page_source  # textual-serve's page, our title
    screen = _wait_for(browser, "Deficiency-type symptoms", "Red flags — ask every one")
    assert "so far SELF-CARE" in screen and "EMERGENCY" not in screen

    # Keys go where a clinician's go: into the terminal, after a click on it.
    browser.find_element(By.CSS_SELECTOR, ".xterm-screen").click()
    assert "xterm-helper-textarea" in browser.execute_script(
        "return document.activeElement.className")
    keys = ActionChains(browser)
    # F2 (triage), End (the last red flag), up six to "Difficulty breathing", y (present).
    for key in (Keys.F2, Keys.END, *[Keys.ARROW_UP] * 6, "y"):
        keys.send_keys(key).pause(0.15)
    keys.perform()

    screen = _wait_for(browser, "EMERGENCY", "[✓] Difficulty breathing")
    assert "⚠⚠ EMERGENCY — Call emergency services" in screen
    assert "so far SELF-CARE" not in screen
    shot = tmp_path / "serve_emergency.png"
    assert browser.save_screenshot(str(shot))
    if SHOT_FOR_REVIEW:
        with contextlib.suppress(OSError):
            shutil.copyfile(shot, SHOT_FOR_REVIEW)
    assert len(served.consultations()) == 1  # this tab's consultation, and only it
    print(f"\nbrowser test: {time.monotonic() - started:.1f} s; screenshot {shot}")
