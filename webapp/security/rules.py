"""Every route declares who may use it; a route without a rule is refused (fail closed).

Rules are checked before the view runs. They are the coarse gate (signed in,
or holding a role); the engine then applies need-to-know to the very case or
task asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from engine.users.actors import Actor

F = TypeVar("F", bound=Callable)


@dataclass(frozen=True)
class Rule:
    """Who may use a route. ``check`` asks the engine when the answer lives in the pathways
    (who may start one is the role of its start lane, which coordinators can change)."""

    name: str
    signed_in: bool = True
    any_role: frozenset[str] = frozenset()
    check: Callable[[Actor], bool] | None = None

    def allows(self, actor: Actor | None) -> bool:
        if not self.signed_in:
            return True
        if actor is None:
            return False
        if self.any_role and not self.any_role & actor.roles:
            return False
        return self.check is None or self.check(actor)


PUBLIC = Rule("public", signed_in=False)
SIGNED_IN = Rule("signed in")
SUPERVISOR = Rule("supervisor", any_role=frozenset({"supervisor", "admin"}))
ADMIN = Rule("administrator", any_role=frozenset({"admin"}))
COORDINATOR = Rule("coordinator", any_role=frozenset({"coordinator", "admin"}))


def allow(rule: Rule) -> Callable[[F], F]:
    def mark(view: F) -> F:
        view.access_rule = rule  # type: ignore[attr-defined]
        return view

    return mark


def rule_of(view: Callable | None) -> Rule | None:
    return getattr(view, "access_rule", None)
