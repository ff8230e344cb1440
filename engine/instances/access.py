"""Who may start a pathway. The one place this rule is written.

Starting a pathway is the first step of it, so it belongs to the role of the
lane that holds the start event; a diagram whose start event lies outside every
lane is started by the role(s) of the first lane(s) its flow reaches.
Administrators may start any pathway. A pathway with no lanes at all has no
starter role: only administrators (and the engine) may start it.

Starting on an *existing* case also needs the right to open that case
(:mod:`engine.cases.access`): otherwise a reference would be a key to the case.
"""

from __future__ import annotations

from collections import deque

from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec

from engine.errors import PermissionDenied
from engine.users.actors import Actor
from engine.users.roles import normalise_role


def starter_roles(spec: BpmnProcessSpec) -> frozenset[str]:
    """The roles that may start ``spec``: its start event's lane, else the first lanes reached."""
    starts = list(spec.bpmn_start_events) or list(spec.start.outputs)
    roles = {normalise_role(s.lane) for s in starts if getattr(s, "lane", None)}
    if roles:
        return frozenset(roles)
    seen = {s.name for s in starts}
    queue = deque(starts)
    while queue:
        for following in queue.popleft().outputs:
            if following.name in seen:
                continue
            seen.add(following.name)
            lane = getattr(following, "lane", None)
            if lane:
                roles.add(normalise_role(lane))
            else:
                queue.append(following)
    return frozenset(roles)


def may_start(actor: Actor, spec: BpmnProcessSpec) -> bool:
    return actor.is_admin or actor.is_system or bool(starter_roles(spec) & actor.roles)


def require_may_start(actor: Actor, spec: BpmnProcessSpec, process_key: str) -> None:
    if may_start(actor, spec):
        return
    roles = sorted(starter_roles(spec))
    if not roles:
        raise PermissionDenied(f"only administrators may start {process_key!r}")
    who = " or ".join(repr(r) for r in roles)
    raise PermissionDenied(f"starting {process_key!r} needs the role {who}")
