"""Read what the projections need out of a live workflow: ready user tasks and waiting timers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import EventBasedGateway
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.clock import parse_instant
from engine.users.roles import normalise_role

FORM_PROPERTY = "formJsonSchemaFilename"

_TIMER_KINDS: list[tuple[type, str]] = [
    (CycleTimerEventDefinition, "cycle"),
    (DurationTimerEventDefinition, "duration"),
    (TimeDateEventDefinition, "date"),
]


@dataclass(frozen=True)
class ReadyUserTask:
    id: str
    bpmn_id: str
    title: str
    process_key: str
    role: str | None
    form: str | None
    due_at: datetime | None
    instance_index: int = 0  # the input position of a multi-instance child, else 0


@dataclass(frozen=True)
class WaitingTimer:
    id: str
    bpmn_id: str
    name: str
    kind: str
    due_at: datetime


def properties(task: Task) -> dict[str, str]:
    return (getattr(task.task_spec, "extensions", None) or {}).get("properties", {}) or {}


def _call_activity_of(task: Task) -> Task | None:
    """The task that runs ``task``'s sub-workflow: a call activity or an embedded sub-process."""
    parent_id = task.workflow.parent_task_id
    return task.workflow.top_workflow.get_task_from_id(parent_id) if parent_id else None


def owning_process(task: Task) -> str:
    """The deployed process a task belongs to: sub-processes drawn inside a process are part
    of it (their forms were deployed with it); a call activity enters another process."""
    current = task
    while True:
        parent = _call_activity_of(current)
        if parent is None or isinstance(parent.task_spec, CallActivity):
            return current.workflow.spec.name
        current = parent


def task_role(task: Task) -> str | None:
    """The lane, or the lane of the nearest enclosing call activity (lanes are not inherited)."""
    current: Task | None = task
    while current is not None:
        lane = getattr(current.task_spec, "lane", None)
        if lane:
            return normalise_role(lane)
        current = _call_activity_of(current)
    return None


def timer_definition(task_spec) -> TimerEventDefinition | None:
    """The timer a task waits on: its own, or the timer branch of an event-based gateway
    (whose combined definition holds one event per branch, notes pitfall 15)."""
    definition = getattr(task_spec, "event_definition", None)
    for candidate in (definition, *getattr(definition, "event_definitions", [])):
        if isinstance(candidate, TimerEventDefinition):
            return candidate
    return None


def timer_due(task: Task) -> datetime | None:
    """When a waiting timer task falls due, or None when it never will again."""
    if timer_definition(task.task_spec) is None:
        return None
    value = task._get_internal_data("event_value")
    if value is None:
        return None
    if isinstance(value, dict):  # cycle timer: {"cycles", "next", "duration"}
        return parse_instant(value["next"]) if value.get("cycles", 0) != 0 else None
    return parse_instant(str(value))


def timer_kind(task: Task) -> str:
    definition = timer_definition(task.task_spec)
    for cls, kind in _TIMER_KINDS:
        if isinstance(definition, cls):
            return kind
    return "timer"


def _attached_timer_dues(task: Task) -> Iterator[datetime]:
    parent = task.parent
    if parent is None or not isinstance(parent.task_spec, BoundaryEventSplit):
        return
    for sibling in parent.children:
        # A boundary timer that already fired still tells when the task was due.
        due = timer_due(sibling) if sibling is not task else None
        if due is not None:
            yield due


def task_due(task: Task) -> datetime | None:
    """Earliest timer attached to the task or to any call activity enclosing it.

    BPMN's way to say "due in 5 days" is a boundary timer that escalates; the
    inbox shows that same moment as the due date.
    """
    dues: list[datetime] = []
    current: Task | None = task
    while current is not None:
        dues.extend(_attached_timer_dues(current))
        current = _call_activity_of(current)
    return min(dues) if dues else None


MAX_ITEM_IN_TITLE = 60


def _instance_of(task: Task) -> tuple[int, str]:
    """A multi-instance child's input position and what to add to its title ("", if none)."""
    parent = task.parent
    if parent is None or not isinstance(parent.task_spec, MultiInstanceTask):
        return 0, ""
    index = next((i for i, c in enumerate(parent.children) if c is task), 0)
    spec = parent.task_spec
    item = (
        spec.input_item.get(task)
        if spec.input_item is not None and spec.input_item.exists(task)
        else None
    )
    if isinstance(item, str | int | float) and not isinstance(item, bool):
        return index, f": {str(item)[:MAX_ITEM_IN_TITLE]}"
    return index, f" ({index + 1})"


def tasks_in(workflow: BpmnWorkflow, state: int, *, manual: bool | None = None) -> list[Task]:
    """``workflow.get_tasks(state=..., manual=...)``: the same tasks in the same order.

    Each save asks for the ready user tasks and the waiting timers. SpiffWorkflow's task
    iterator pays for filters, depth and list shuffling on every task of the tree, which was
    most of a projection's cost on the child pathway's 200 tasks; this walk is the same
    depth-first order (a called pathway's own tasks before the caller task's children, only
    under tasks that may lead to the state asked for) without that. Unlike the iterator, it
    does not stop descending a thousand tasks deep.
    """
    if state & TaskState.PREDICTED_MASK:
        lowest = TaskState.MAYBE
    elif state & TaskState.DEFINITE_MASK:
        lowest = TaskState.FUTURE
    else:
        lowest = TaskState.COMPLETED
    subprocesses = workflow.top_workflow.subprocesses
    found: list[Task] = []
    stack = [workflow.task_tree]
    while stack:
        task = stack.pop()
        if task._state & state and (manual is None or task.task_spec.manual == manual):
            found.append(task)
        inner = subprocesses.get(task.id)
        if inner is not None or (task._children and task._state >= lowest):
            known = task.workflow.tasks  # Task.children, without the property's call
            stack.extend([known.get(child) for child in reversed(task._children)])
            if inner is not None:
                stack.append(inner.task_tree)
    return found


def ready_user_tasks(workflow: BpmnWorkflow) -> list[ReadyUserTask]:
    found = []
    for task in tasks_in(workflow, TaskState.READY, manual=True):
        spec = task.task_spec
        index, label = _instance_of(task)
        found.append(
            ReadyUserTask(
                id=str(task.id),
                bpmn_id=spec.bpmn_id or spec.name,
                title=(spec.bpmn_name or spec.bpmn_id or spec.name) + label,
                process_key=owning_process(task),
                role=task_role(task),
                form=properties(task).get(FORM_PROPERTY),
                due_at=task_due(task),
                instance_index=index,
            )
        )
    return found


def _timer_element(task_spec):
    """The element that draws the timer: an event-based gateway waits for its branches itself,
    but the timer a person sees (and an administrator moves) is the branch's catch event."""
    if not isinstance(task_spec, EventBasedGateway):
        return task_spec
    combined = getattr(task_spec.event_definition, "event_definitions", [])
    branches = task_spec.outputs
    # SpiffWorkflow moves each branch's definition into the gateway, in the order of outputs.
    for index, definition in enumerate(combined):
        if isinstance(definition, TimerEventDefinition) and index < len(branches):
            return branches[index]
    return task_spec


def waiting_timers(workflow: BpmnWorkflow) -> list[WaitingTimer]:
    found = []
    for task in tasks_in(workflow, TaskState.WAITING):
        due = timer_due(task)
        if due is None:
            continue
        spec = _timer_element(task.task_spec)
        found.append(
            WaitingTimer(
                id=str(task.id),
                bpmn_id=spec.bpmn_id or spec.name,
                name=spec.bpmn_name or spec.bpmn_id or spec.name,
                kind=timer_kind(task),
                due_at=due,
            )
        )
    return found
