"""Moving a case along by hand in tests: complete the open task with this BPMN id."""

from __future__ import annotations


def complete_step(engine, case_ref: str, bpmn_id: str, person: str, answers: dict) -> None:
    task = next(t for t in engine.tasks_for(person, case_ref=case_ref) if t.bpmn_id == bpmn_id)
    engine.complete_task(task.id, actor=person, answers=answers)
