"""Who may act on a user task: its lane's role, its assignee, or an administrator."""

from __future__ import annotations

from engine.tasks.models import HumanTask
from engine.users.actors import Actor


def holds_role(actor: Actor, task: HumanTask) -> bool:
    return task.role is not None and task.role in actor.roles


def may_see(actor: Actor, task: HumanTask) -> bool:
    return actor.is_admin or task.assignee == actor.username or holds_role(actor, task)


def may_complete(actor: Actor, task: HumanTask) -> bool:
    """A claimed task belongs to its assignee; an unclaimed one to anyone holding the role."""
    if actor.is_admin or task.assignee == actor.username:
        return True
    return task.assignee is None and holds_role(actor, task)


def may_claim(actor: Actor, task: HumanTask) -> bool:
    return actor.is_admin or holds_role(actor, task)
