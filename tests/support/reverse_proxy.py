"""A real server in its own process with a tiny real reverse proxy in front, as in production.

The proxy does what nginx does in front of the app (less the TLS): it forwards each request to
the server, appends the address it was connected from to ``X-Forwarded-For`` and says
``X-Forwarded-Proto: https``. Clients connect from chosen loopback addresses (127.0.0.0/8 is
all loopback on Linux), so the test knows which address the app should see.
"""

from __future__ import annotations

import http.client
import signal
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
}
STARTUP_TIMEOUT_S = 60


def _handler(backend_port: int) -> type[BaseHTTPRequestHandler]:
    class Forward(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._forward()

        def do_POST(self) -> None:
            self._forward()

        def do_HEAD(self) -> None:
            self._forward()

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            headers.pop("X-Forwarded-Proto", None)
            peer = self.client_address[0]
            prior = self.headers.get("X-Forwarded-For")
            headers["X-Forwarded-For"] = f"{prior}, {peer}" if prior else peer
            headers["X-Forwarded-Proto"] = "https"
            upstream = http.client.HTTPConnection("127.0.0.1", backend_port, timeout=60)
            try:
                upstream.request(self.command, self.path, body=body, headers=headers)
                answer = upstream.getresponse()
                data = answer.read()
            finally:
                upstream.close()
            self.send_response(answer.status, answer.reason)
            for name, value in answer.getheaders():
                if name.lower() not in HOP_BY_HOP | {"server", "date"}:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def log_message(self, *_args) -> None:
            pass

    return Forward


@contextmanager
def reverse_proxy(backend_port: int) -> Iterator[int]:
    """A proxy to ``backend_port`` on a free port of 127.0.0.1; yields that port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(backend_port))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=30)


@contextmanager
def server_process(command: list[str], env: dict[str, str]) -> Iterator[list[str]]:
    """Run ``command`` until it says "Serving on" (its socket then listens); yields its output."""
    lines: list[str] = []
    ready = threading.Event()
    process = subprocess.Popen(
        command,
        env=dict(env, PYTHONUNBUFFERED="1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )

    def read() -> None:
        for line in process.stdout:
            lines.append(line)
            if "Serving on" in line:
                ready.set()
        ready.set()  # it ended

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert ready.wait(STARTUP_TIMEOUT_S) and process.poll() is None, "".join(lines)
        yield lines
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
        reader.join(timeout=30)
        process.stdout.close()


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: str

    def cookies(self) -> dict[str, bool]:
        """Cookie name -> whether it was set ``Secure``."""
        found = {}
        for name, value in self.headers:
            if name.lower() == "set-cookie":
                for morsel in SimpleCookie(value).values():
                    found[morsel.key] = bool(morsel["secure"])
        return found


@dataclass
class Browser:
    """A client on its own loopback address that keeps its cookies."""

    port: int
    address: str
    jar: dict[str, str] = field(default_factory=dict)

    def request(
        self, method: str, path: str, form: dict | None = None, headers: dict | None = None
    ) -> Answer:
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=60, source_address=(self.address, 0)
        )
        sent = dict(headers or {})
        if self.jar:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            answer = Answer(response.status, response.getheaders(), response.read().decode())
        finally:
            connection.close()
        for name, value in answer.headers:
            if name.lower() == "set-cookie":
                for morsel in SimpleCookie(value).values():
                    if morsel.value:
                        self.jar[morsel.key] = morsel.value
                    else:  # deleted
                        self.jar.pop(morsel.key, None)
        return answer
