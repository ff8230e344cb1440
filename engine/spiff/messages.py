"""Where a workflow waits for a BPMN message, and handing one to it.

A message waits in an intermediate catch event, a receive task, a boundary
event, a branch of an event-based gateway (inside its combined definition) or
the start event of an event sub-process; SpiffWorkflow lists all of them as
waiting tasks. It only copies a message's payload into task data when the
element names a ``messageVariable``; otherwise the payload's fields become the
task's data here, as an answer to a form would.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.spiff.inspection import FORM_PROPERTY, owning_process, properties, task_role
from engine.users.roles import normalise_role


def message_definition(task_spec, name: str) -> MessageEventDefinition | None:
    definition = getattr(task_spec, "event_definition", None)
    for candidate in (definition, *getattr(definition, "event_definitions", [])):
        if isinstance(candidate, MessageEventDefinition) and candidate.name == name:
            return candidate
    return None


@dataclass(frozen=True)
class WaitingCatch:
    task: Task
    definition: MessageEventDefinition
    role: str | None
    form: str | None
    process_key: str
    element: str | None = None  # the event sub-process a message starts, if that is the catch

    @property
    def bpmn_id(self) -> str:
        return self.element or self.task.task_spec.bpmn_id or self.task.task_spec.name

    def correlation(self, evaluate) -> dict[str, Any]:
        """The values this wait expects, by correlation property: each property's expression
        over the waiting task's data (a missing value is simply absent)."""
        found = {}
        for prop in self.definition.correlation_properties:
            try:
                found[prop.name] = evaluate(prop.retrieval_expression, dict(self.task.data))
            except Exception:  # noqa: S112 - a value the data does not hold yet is not a match
                continue
        return found

    def correlation_inputs(self) -> dict[str, Any]:
        """What the message must carry for SpiffWorkflow to compute its correlation values
        from it: the names the properties' expressions read, from the waiting task's data
        (None where the data has none yet)."""
        names: set[str] = set()
        for prop in self.definition.correlation_properties:
            try:
                tree = ast.parse(prop.retrieval_expression or "", mode="eval")
            except SyntaxError:
                continue
            names.update(n.id for n in ast.walk(tree) if isinstance(n, ast.Name))
        return {name: self.task.data.get(name) for name in sorted(names)}


def _triggerable(task: Task, name: str) -> Iterator[WaitingCatch]:
    """Event sub-processes started by a message are not waiting tasks: their scope's start
    task holds them as triggers (SpiffWorkflow starts them when the message comes)."""
    subprocess_specs = task.workflow.top_workflow.subprocess_specs
    for trigger in getattr(task.task_spec, "trigger_specs", None) or []:
        spec = subprocess_specs.get(trigger)
        holder = task.workflow.spec.task_specs.get(trigger)
        for start in spec.bpmn_start_events if spec is not None else []:
            definition = message_definition(start, name)
            if definition is not None:
                lane = getattr(holder, "lane", None)
                role = normalise_role(lane) if lane else task_role(task)
                yield WaitingCatch(task, definition, role, None, owning_process(task), trigger)


def waiting_catches(workflow: BpmnWorkflow, name: str) -> list[WaitingCatch]:
    found = []
    for task in workflow.get_tasks():
        if task.state == TaskState.WAITING:
            definition = message_definition(task.task_spec, name)
            if definition is not None:
                found.append(
                    WaitingCatch(
                        task,
                        definition,
                        task_role(task),
                        properties(task).get(FORM_PROPERTY),
                        owning_process(task),
                    )
                )
        elif task.has_state(TaskState.COMPLETED | TaskState.STARTED):
            found.extend(_triggerable(task, name))
    return found


def start_messages(spec: BpmnProcessSpec) -> Iterator[str]:
    """Names of the messages that start ``spec`` (its own start events, not sub-processes')."""
    for start in spec.bpmn_start_events:
        definition = getattr(start, "event_definition", None)
        if isinstance(definition, MessageEventDefinition):
            yield definition.name


def deliver(workflow: BpmnWorkflow, catches: list[WaitingCatch], payload: dict[str, Any]) -> None:
    """Hand the message to the waiting elements; the caller runs the engine on.

    Every element that caught it keeps the payload in its internal data; where it names
    no ``messageVariable``, the payload's fields become its data (and flow on from it).
    """
    definition = catches[0].definition
    event = BpmnEvent(definition, payload=dict(payload), correlations={})
    workflow.catch(event)
    for task in workflow.get_tasks():
        if task.internal_data.get(definition.name) is not event.payload:
            continue
        caught = message_definition(task.task_spec, definition.name)
        if caught is not None and getattr(caught, "message_var", None) is None:
            task.set_data(**event.payload)
