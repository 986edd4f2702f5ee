"""Shared test set-up. Sections are independent: add new ones below, each with its own header."""

from __future__ import annotations

import os
import shutil

import pytest

# ---------------------------------------------------------------------------------------------
# Browser: dash[testing] drives Debian's chromium through its chromedriver (`--headless`).
# ---------------------------------------------------------------------------------------------

# Debian's packages: apt-get install chromium chromium-driver (scripts/test.sh does it).
CHROMIUM_BINARY = os.environ.get("DASH_TEST_CHROMEPATH") or shutil.which("chromium")

# --no-sandbox: we run as root; --disable-dev-shm-usage: /dev/shm is small in containers; the
# rest keep Chromium from reaching for the network (there is none) and from logging about it.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


@pytest.hookimpl(optionalhook=True)  # the hook exists only when dash[testing] is installed
def pytest_setup_options():
    """Chrome options for every dash_duo browser (dash.testing takes the first answer)."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    if CHROMIUM_BINARY:
        options.binary_location = CHROMIUM_BINARY
    for arg in CHROMIUM_ARGS:
        options.add_argument(arg)
    return options
