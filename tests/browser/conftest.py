"""A live server (waitress, real HTTP) and Debian's Chromium driven by Playwright.

Chromium is installed by ``make test`` (scripts/ensure_chromium.sh); Playwright
never downloads a browser here.
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest
from waitress import wasyncore
from waitress.server import create_server

from engine.config import PROJECT_ROOT
from webapp.app import create_app

CHROMIUM = os.environ.get("PATHWAYS_CHROMIUM", "/usr/bin/chromium")
OUTPUT = PROJECT_ROOT / "test-output" / "screenshots"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_server(web_engine):
    port = _free_port()
    server = create_server(create_app(web_engine), host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    # Closing the listening socket alone leaves the loop serving the browser's keep-alive
    # connections until they time out: close those too, so the loop ends at once. The
    # closing runs inside the loop's own thread (waitress's trigger): a channel closed from
    # this thread while the loop polls it raised in the server thread now and then.
    server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
    thread.join(timeout=10)
    server.task_dispatcher.shutdown()
    assert not thread.is_alive(), "the test server did not stop"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def screenshots() -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT
