"""Interrupting event sub-processes, which SpiffWorkflow 3.2 runs as if none interrupted.

SpiffWorkflow starts every event sub-process beside the main flow, waiting on its
start event, and ignores ``isInterrupting``: a timer or error that starts an
interrupting one leaves the main flow running too. BPMN says the main flow (and
any other event sub-process of the same scope) ends the moment it starts. The
parser does not keep the attribute, so :func:`mark` writes it into the task
spec's extensions (which are saved with the workflow) when a diagram is parsed,
and :func:`interrupt` applies it after each engine step.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

MARK = "pathways:eventSubProcess"
INTERRUPTING = "interrupting"
NON_INTERRUPTING = "non-interrupting"
_BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def kinds(root: etree._Element) -> dict[str, str]:
    """Each event sub-process's id and whether its start interrupts (BPMN's default: yes)."""
    found = {}
    for node in root.iter(f"{_BPMN}subProcess"):
        if node.get("triggeredByEvent", "false").lower() != "true":
            continue
        starts = node.findall(f"{_BPMN}startEvent")
        interrupts = any(s.get("isInterrupting", "true").lower() == "true" for s in starts)
        found[node.get("id")] = INTERRUPTING if interrupts else NON_INTERRUPTING
    return found


def mark(specs, event_subprocesses: dict[str, str]) -> None:
    """Record each event sub-process's kind on its task spec, in every spec of the file."""
    for spec in specs:
        for task_spec in spec.task_specs.values():
            kind = event_subprocesses.get(getattr(task_spec, "bpmn_id", None) or "")
            extensions = getattr(task_spec, "extensions", None)
            if kind and isinstance(extensions, dict):
                extensions[MARK] = kind


def _started(task, workflow: BpmnWorkflow) -> bool:
    inner = workflow.top_workflow.get_subprocess(task)
    return inner is not None and any(
        isinstance(t.task_spec, StartEvent) and t.state == TaskState.COMPLETED
        for t in inner.get_tasks()
    )


def interrupt(workflow: BpmnWorkflow) -> bool:
    """Cancel what each interrupting event sub-process that has started interrupts.

    Its siblings under the scope's start are the main flow and the other event
    sub-processes; returns whether anything was cancelled (run the engine on then).
    """
    cancelled = False
    for task in workflow.get_tasks(state=TaskState.STARTED):
        extensions = getattr(task.task_spec, "extensions", None) or {}
        if extensions.get(MARK) != INTERRUPTING or not _started(task, workflow):
            continue
        for sibling in task.parent.children:
            if sibling is not task and any(_unfinished(sibling)):
                sibling.cancel()  # a finished task passes the cancel on to its children
                cancelled = True
    return cancelled


def _unfinished(task) -> Iterator:
    if not task.has_state(TaskState.FINISHED_MASK):
        yield task
    for child in task.children:
        yield from _unfinished(child)
