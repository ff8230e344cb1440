"""Pathway code that is not cheap runs in a worker process with hard limits.

A coordinator's script can be written to defeat any in-process meter: a
generator finalised at the wrong moment switches a trace-based step counter
off, and one C call (``round(1, -4000000)``, a join through the type) holds the
interpreter lock for seconds, so the whole server stops answering. Metering
every construct in the same process is a race against the language. A separate
process is not: the kernel stops it at its CPU limit (``RLIMIT_CPU``) and
refuses memory past its address-space limit (``RLIMIT_AS``), and while it runs
the server thread that waits for it holds no lock at all, so other requests are
served. What comes back is plain data, encoded and size-checked by the worker
(:mod:`.codec`) and decoded fresh here, so nothing the script built is shared.

Workers are started on demand (one per concurrently running script), kept for
reuse, and replaced after any limit was hit. A worker serves one request at a
time: the context of one case never meets another's in the same call.
"""

from __future__ import annotations

import atexit
import logging
import os
import selectors
import signal
import struct
import subprocess
import sys
import threading
import time
from typing import Any

from engine.errors import ScriptRefused
from engine.scripting import codec

log = logging.getLogger("engine.scripting")

CPU_SECONDS = 1  # per script step, counted by the kernel in whole seconds (so 1-2 s)
WALL_SECONDS = 10  # a worker that has not answered by then is killed
MEMORY_BYTES = 256 * 1024 * 1024  # on top of the worker's own size at start
MAX_REPLY_BYTES = codec.MAX_BYTES + 64 * 1024
MAX_IDLE_WORKERS = 4
MAX_WORKERS = 8  # scripts running at once per server process; more wait their turn
FRAME_HEADER = struct.Struct(">Q")

# Errors a script may raise on its own (a missing answer, a bad index, a division by
# zero): raised here again under the same type, so messages read as before.
_PASS_THROUGH = {
    e.__name__: e
    for e in (
        NameError,
        KeyError,
        IndexError,
        TypeError,
        ValueError,
        ZeroDivisionError,
        AttributeError,
        ArithmeticError,
        OverflowError,
        AssertionError,
        RecursionError,
    )
}


class WorkerLost(Exception):
    """The worker died or went silent: it hit a limit (or was killed)."""


def write_frame(fd: int, payload: bytes) -> None:
    data = FRAME_HEADER.pack(len(payload)) + payload
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class _Worker:
    def __init__(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
            [sys.executable, "-m", "engine.scripting.worker", str(CPU_SECONDS), str(MEMORY_BYTES)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            close_fds=True,
            start_new_session=True,  # a Ctrl-C meant for the server is not the worker's; it
            # ends when the server does, reading the end of its request pipe
        )
        self.pid = os.getpid()
        self._requests = self.process.stdin.fileno()  # type: ignore[union-attr]
        self._replies = self.process.stdout.fileno()  # type: ignore[union-attr]

    def call(self, payload: bytes) -> bytes:
        try:
            write_frame(self._requests, payload)
        except OSError as err:
            raise WorkerLost("its sandbox process is gone") from err
        return self._read_reply(self._replies, time.monotonic() + WALL_SECONDS)

    def _read_reply(self, fd: int, deadline: float) -> bytes:
        buffer = bytearray()
        wanted: int | None = None
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while wanted is None or len(buffer) < wanted:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(remaining):
                    raise WorkerLost(f"it ran longer than {WALL_SECONDS} s")
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    raise WorkerLost("its sandbox process stopped")
                buffer += chunk
                if wanted is None and len(buffer) >= FRAME_HEADER.size:
                    (size,) = FRAME_HEADER.unpack_from(buffer)
                    if size > MAX_REPLY_BYTES:
                        raise WorkerLost("its result was too large")
                    wanted = FRAME_HEADER.size + size
        return bytes(buffer[FRAME_HEADER.size :])

    def close(self, *, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class WorkerPool:
    def __init__(self) -> None:
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._running = threading.BoundedSemaphore(MAX_WORKERS)
        self._pid = os.getpid()

    def _take(self) -> _Worker:
        with self._lock:
            if self._pid != os.getpid():  # forked (e.g. gunicorn): the parent's pipes are not ours
                self._idle, self._pid = [], os.getpid()
            if self._idle:
                return self._idle.pop()
        return _Worker()

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            if worker.pid == os.getpid() and len(self._idle) < MAX_IDLE_WORKERS:
                self._idle.append(worker)
                return
        worker.close()

    def run(self, request: dict[str, Any]) -> dict[str, Any]:
        payload = codec.encode(request, where="the data sent to a script")
        with self._running:
            return self._run(payload)

    def _run(self, payload: bytes) -> dict[str, Any]:
        worker = self._take()
        try:
            reply = worker.call(payload)
        except WorkerLost as lost:
            worker.close(kill=True)
            code = worker.process.returncode
            log.warning("sandbox worker lost (%s, exit %s)", lost, code)
            raise ScriptRefused(_explain(lost, code)) from None
        except BaseException:
            worker.close(kill=True)
            raise
        answer = codec.decode(reply)
        if answer.get("retire"):
            worker.close()
        else:
            self._give_back(worker)
        return answer

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.close()


def _explain(lost: WorkerLost, exit_code: int | None) -> str:
    if exit_code == -signal.SIGXCPU:  # the kernel's CPU limit; our own kill is a wall timeout
        return f"script stopped: it used more than {CPU_SECONDS} s of processor time"
    return f"script stopped: {lost}"


POOL = WorkerPool()
atexit.register(POOL.close)


def run_isolated(request: dict[str, Any]) -> dict[str, Any]:
    """Send one request to a worker; raise what the script raised, or :class:`ScriptRefused`."""
    answer = POOL.run(request)
    if answer.get("ok"):
        return answer
    kind, message = answer.get("error", "ScriptRefused"), answer.get("message", "")
    if kind in _PASS_THROUGH:
        raise _PASS_THROUGH[kind](message)
    raise ScriptRefused(message)
