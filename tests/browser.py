"""Headless Chromium for the browser tests: Debian's /usr/bin/chromium, driven through
Playwright (never ``playwright install``), with the flags this closed network needs."""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
