"""Running the workflow forward under the engine clock, with failures made readable.

Any error raised while SpiffWorkflow runs steps (a script's exception, a
sandbox refusal, a bad timer value) becomes :class:`WorkflowStepFailed`
naming the step; the caller's transaction then rolls back, so the instance
stays as it was.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task

from engine.clock import Clock, FixedClock
from engine.errors import EngineError, WorkflowStepFailed
from engine.scripting.case_facts import CaseFacts, using_facts
from engine.spiff import event_subprocesses
from engine.spiff.clock_seam import using_clock
from engine.spiff.inspection import WaitingTimer, waiting_timers
from engine.timers.calendar import BusinessCalendar, using_calendar

MAX_CATCH_UP_ROUNDS = 1000
_JUST_AFTER = timedelta(microseconds=1)


def _describe(err: BaseException) -> str:
    task = getattr(err, "task", None)
    step = ""
    if task is not None:
        spec = task.task_spec
        step = (
            f"step {spec.bpmn_name or spec.bpmn_id or spec.name!r} ({spec.bpmn_id or spec.name}): "
        )
    inner = err.__cause__ or err.__context__
    reason = inner.message if isinstance(inner, EngineError) else str(inner or err)
    detail = str(err).split("\n")[0]
    return f"{step}{reason}" if reason and reason != detail else f"{step}{detail}"


@dataclass(frozen=True)
class StepContext:
    """What pathway code may see while a step runs: time, the working-day calendar, case facts."""

    clock: Clock
    calendar: BusinessCalendar
    facts: CaseFacts

    def at(self, clock: Clock) -> StepContext:
        return replace(self, clock=clock)


@contextlib.contextmanager
def stepping(step: StepContext) -> Iterator[None]:
    with using_clock(step.clock), using_calendar(step.calendar), using_facts(step.facts):
        try:
            yield
        except EngineError:
            raise
        except Exception as err:
            raise WorkflowStepFailed(_describe(err)) from err


def run_on(workflow: BpmnWorkflow) -> None:
    """Run every step the engine can take, including what an interrupting event
    sub-process cancels when it starts (SpiffWorkflow leaves that to us)."""
    workflow.do_engine_steps()
    while event_subprocesses.interrupt(workflow):
        workflow.do_engine_steps()


def start(workflow: BpmnWorkflow, step: StepContext, data: dict[str, Any]) -> None:
    with stepping(step):
        if data:
            for task in workflow.get_tasks():
                if task.parent is None:  # the root: data set here flows to every task
                    task.set_data(**data)
        run_on(workflow)


def complete(
    workflow: BpmnWorkflow, task: Task, answers: dict[str, Any], step: StepContext
) -> None:
    with stepping(step):
        task.set_data(**answers)
        task.run()
        run_on(workflow)


def fire_due(workflow: BpmnWorkflow, step: StepContext, now: datetime) -> list[WaitingTimer]:
    """Fire every timer due by ``now``, earliest first, each *as of its own due time*.

    Running each round with the clock at the timer's due time keeps follow-on
    timers anchored to when the event should have happened: after downtime a
    90-day reflection period fired late still starts the next step's clock at
    day 90, and each missed cycle of a cycle timer fires once, in order.
    """
    fired: list[WaitingTimer] = []
    clock = FixedClock(now)
    with stepping(step.at(clock)):
        for _ in range(MAX_CATCH_UP_ROUNDS):
            due = sorted((t for t in waiting_timers(workflow) if t.due_at <= now), key=_due_key)
            if not due:
                break
            as_of = due[0].due_at
            # SpiffWorkflow fires a timer only when its time is strictly before "now":
            # check a microsecond later, then run on exactly at the due time so the
            # timers that start next count from it.
            clock.set(as_of + _JUST_AFTER)
            workflow.refresh_timers()
            clock.set(as_of)
            run_on(workflow)
            fired.extend(t for t in due if t.due_at <= as_of)
    return fired


def _due_key(timer: WaitingTimer) -> tuple[datetime, str]:
    return timer.due_at, timer.id
