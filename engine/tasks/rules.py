"""Rules a diagram attaches to a user task, checked before it may complete.

* ``guard.<name>``: an expression over the task's data, the submitted answers
  and ``case`` (the case's facts) that must be true; ``guard.<name>.message``
  says in plain words why not. Guards carry the pathways' guard rails (no
  return during the reflection period, none while asylum is pending, ...).
* ``differentUserThan``: comma-separated ids of tasks whose completer may not
  complete this one (four eyes: a best-interests determination is approved by
  someone other than its author).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from SpiffWorkflow.task import Task
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.spiff import stepping
from engine.spiff.inspection import properties
from engine.spiff.serialization import SCRIPT_ENGINE
from engine.tasks.models import HumanTask, TaskStatus
from engine.users.actors import Actor

GUARD_PREFIX = "guard."
MESSAGE_SUFFIX = ".message"
SEPARATION_PROPERTY = "differentUserThan"


def guards(props: dict[str, str]) -> Iterator[tuple[str, str, str]]:
    """(name, expression, message) for each guard property, in name order."""
    for key in sorted(props):
        if key.startswith(GUARD_PREFIX) and not key.endswith(MESSAGE_SUFFIX):
            name = key[len(GUARD_PREFIX) :]
            message = (
                props.get(key + MESSAGE_SUFFIX) or f"The rule '{name}' does not allow this yet."
            )
            yield name, props[key], message


def guard_refusals(task: Task, answers: dict[str, Any], step: stepping.StepContext) -> list[str]:
    context = {**task.data, **answers}
    refusals = []
    with stepping.stepping(step):
        for _name, expression, message in guards(properties(task)):
            if not SCRIPT_ENGINE.environment.evaluate(expression, dict(context)):
                refusals.append(message)
    return refusals


def separation_refusal(session: Session, row: HumanTask, actor: Actor, task: Task) -> str | None:
    others = [
        i.strip() for i in properties(task).get(SEPARATION_PROPERTY, "").split(",") if i.strip()
    ]
    if not others:
        return None
    authored = session.scalars(
        select(HumanTask.title).where(
            HumanTask.case_id == row.case_id,
            HumanTask.bpmn_id.in_(others),
            HumanTask.state == TaskStatus.COMPLETED,
            HumanTask.completed_by == actor.username,
        )
    ).first()
    if authored is None:
        return None
    return f"'{row.title}' must be completed by someone other than whoever completed '{authored}'."
