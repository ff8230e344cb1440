"""What the element tests share: one form, deploying a diagram, and running it to its end."""

from __future__ import annotations

from tests.support import bpmn as b

CW = "Caseworker"
NOTE_FORM = {"type": "object", "properties": {"note": {"type": "string"}}}


def deploy(engine, tmp_path, text: str, name: str = "element.bpmn") -> None:
    engine.deploy([b.write(tmp_path / "wf", name, text, {"note.json": NOTE_FORM})], actor="system")


def open_tasks(engine, username: str):
    return engine.tasks_for(username)


def run_to_end(engine, username: str, instance_id: int, expect: list[str] | None = None) -> None:
    """Complete every task that opens, in order, until the instance has completed."""
    done = []
    for _ in range(50):
        ready = [t for t in engine.tasks_for(username) if t.instance_id == instance_id]
        if not ready:
            break
        result = engine.complete_task(ready[0].id, actor=username, answers={"note": "ok"})
        done.append(ready[0].bpmn_id)
    else:
        raise AssertionError(f"still open after 50 steps: {done}")
    if expect is not None:
        assert done[: len(expect)] == expect, done
    assert result.instance_status == "completed", (done, result)
