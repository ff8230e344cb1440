"""The sandbox worker: ``python -m engine.scripting.worker CPU_SECONDS MEMORY_BYTES``.

Reads length-prefixed requests on stdin and answers on stdout, one at a time,
until stdin closes. Before any request it limits itself: no file may be
written, no core dumped, and its address space may grow by ``MEMORY_BYTES``;
before each request its CPU limit is set to what it has used so far plus
``CPU_SECONDS``, so the kernel ends a runaway script however it runs.
"""

from __future__ import annotations

import contextlib
import math
import os
import resource
import sys
from datetime import datetime
from typing import Any

from engine.clock import FixedClock
from engine.errors import ScriptRefused
from engine.scripting import codec, sandbox
from engine.scripting.case_facts import CaseFacts, using_facts
from engine.scripting.isolation import FRAME_HEADER, write_frame
from engine.spiff.clock_seam import using_clock
from engine.timers.calendar import BusinessCalendar, using_calendar


def _limit_self(memory_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with open("/proc/self/statm", encoding="ascii") as statm:
        size = int(statm.read().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (size + memory_bytes, size + memory_bytes))


def _cpu_budget(seconds: int) -> None:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = math.ceil(usage.ru_utime + usage.ru_stime)
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (used + seconds, hard))


def _read_exactly(stream, size: int) -> bytes | None:
    data = stream.read(size)
    return data if data and len(data) == size else None


def handle(request: dict[str, Any]) -> dict[str, Any]:
    """Run one request's code; the reply carries the value or what changed."""
    context: dict[str, Any] = request["context"]
    # Without a case's facts (validation, simulation of a bare expression) nothing is bound,
    # so set_case_fact refuses exactly as it would in the server.
    facts = CaseFacts(request["facts"]) if request.get("facts") is not None else None
    calendar = BusinessCalendar.of(*request["calendar"])
    clock = FixedClock(datetime.fromisoformat(request["now"]))
    bound = using_facts(facts) if facts is not None else contextlib.nullcontext()
    with using_clock(clock), using_calendar(calendar), bound:
        if request["op"] == "eval":
            value = sandbox.evaluate(request["source"], context, request.get("external"))
            return {"ok": True, "value": value, "facts": facts.changed if facts else {}}
        before = {name: codec.encode(value) for name, value in context.items()}
        sandbox.execute(request["source"], context, request.get("external"))
    changed = {
        name: value
        for name, value in context.items()
        if name not in before or codec.encode(value) != before[name]
    }
    deleted = [name for name in before if name not in context]
    return {"ok": True, "set": changed, "deleted": deleted, "facts": facts.changed if facts else {}}


def _answer(request: dict[str, Any]) -> bytes:
    try:
        return codec.encode(handle(request), where="the script's result")
    except ScriptRefused as err:
        reply = {"ok": False, "error": "ScriptRefused", "message": err.message}
    except MemoryError:
        reply = {
            "ok": False,
            "error": "ScriptRefused",
            "message": "script stopped: it needed more memory than a script step may use",
            "retire": True,
        }
    except Exception as err:  # the script's own error, reported by type and message
        reply = {"ok": False, "error": type(err).__name__, "message": str(err)[:2000]}
    return codec.encode(reply)


def main(argv: list[str]) -> int:
    cpu_seconds, memory_bytes = int(argv[0]), int(argv[1])
    requests, replies = sys.stdin.buffer, os.dup(sys.stdout.fileno())
    sys.stdout = sys.stderr  # nothing but replies may reach the reply pipe
    _limit_self(memory_bytes)
    while True:
        header = _read_exactly(requests, FRAME_HEADER.size)
        if header is None:
            return 0
        (size,) = FRAME_HEADER.unpack(header)
        payload = _read_exactly(requests, size)
        if payload is None:
            return 0
        _cpu_budget(cpu_seconds)
        write_frame(replies, _answer(codec.decode(payload)))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
