"""Who may see and act on a user task. The one place these rules are written.

An open task belongs to its lane's role and, once claimed, to its assignee.
A task that is no longer open (completed, cancelled) shows answers about a
person: only whoever completed it or held it, and administrators, may read it
again; holding the role is no longer enough. Each rule has its SQL clause
beside its Python check, and tests hold the two to the same answers.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import ColumnElement, and_, or_, true
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.tasks.models import HumanTask, TaskStatus
from engine.users.actors import Actor


def holds_role(actor: Actor, task: HumanTask) -> bool:
    return task.role is not None and task.role in actor.roles


def visible_tasks(actor: Actor) -> ColumnElement[bool]:
    """SQL over ``human_task``: true for the tasks ``actor`` may see."""
    if actor.is_admin:
        return true()
    return or_(
        HumanTask.assignee == actor.username,
        HumanTask.completed_by == actor.username,
        and_(HumanTask.state == TaskStatus.READY, HumanTask.role.in_(sorted(actor.roles))),
    )


def may_see(actor: Actor, task: HumanTask) -> bool:
    """The Python twin of :func:`visible_tasks`."""
    if actor.is_admin or actor.username in (task.assignee, task.completed_by):
        return True
    return task.state == TaskStatus.READY and holds_role(actor, task)


def may_try(actor: Actor, task: HumanTask) -> bool:
    """Whether ``actor`` may *act* on the task (claim, complete): it is theirs to see, or was
    in their role. A role holder who arrives a moment late is told it was done (a conflict,
    with who and when), never shown what was answered."""
    return may_see(actor, task) or holds_role(actor, task)


def _task(
    session: Session, actor: Actor, task_id: str, lock: bool, rule: Callable[..., bool]
) -> HumanTask:
    # ``lock`` takes the row for update, so two people claiming at once cannot both win.
    row = session.get(HumanTask, task_id, with_for_update=lock) if task_id else None
    if row is None or not rule(actor, row):
        raise NotFound(f"no task {task_id}")  # ids of others' tasks reveal nothing
    return row


def access_task_by_id(session: Session, actor: Actor, task_id: str) -> HumanTask:
    """The task to read (its page, its answers, a draft) if :func:`may_see`, else NotFound."""
    return _task(session, actor, task_id, False, may_see)


def actionable_task_by_id(
    session: Session, actor: Actor, task_id: str, *, lock: bool = False
) -> HumanTask:
    """The task for a command if :func:`may_try`, else NotFound."""
    return _task(session, actor, task_id, lock, may_try)


def may_complete(actor: Actor, task: HumanTask) -> bool:
    """A claimed task belongs to its assignee; an unclaimed one to anyone holding the role."""
    if actor.is_admin or task.assignee == actor.username:
        return True
    return task.assignee is None and holds_role(actor, task)


def may_claim(actor: Actor, task: HumanTask) -> bool:
    return actor.is_admin or holds_role(actor, task)
