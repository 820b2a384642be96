"""Debian's Chromium for the hub tests, driven as tests/browser/ drives it."""

import shutil

import pytest

from deck_server.launch import CHROMIUM_FLAGS


@pytest.fixture(scope="session")
def browser():
    chromium = shutil.which("chromium")
    if chromium is None:  # .ci/run installs it and checks, so CI never skips these
        pytest.skip("Debian's Chromium is needed for the hub tests: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()
