"""Running a scenario against an engine with a fixed clock.

Each step either does what a person would do (start a pathway on the case,
add someone of another agency to the case's team, complete or claim a task),
lets simulated time pass (firing what falls due), or checks the case: open
tasks, waiting timers, case facts, instance states, the audit trail. A
``refused`` step expects the engine to refuse, and checks that the refusal
changed nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from engine.accountability.commitments import record
from engine.accountability.history import case_history
from engine.audit import chain
from engine.audit.queries import instance_history
from engine.clock import FixedClock, parse_instant
from engine.errors import EngineError
from engine.instances.facts import load_facts
from engine.instances.models import ProcessInstance, ProtectionCase
from engine.runtime import Engine
from engine.scenarios.model import Scenario, Step, parse_duration, resolve_days

DEFAULT_PERSON = "admin"


class ScenarioFailed(Exception):
    """A step did not do what the scenario says; ``step`` is its index when known."""

    def __init__(self, message: str, step: int | None = None) -> None:
        super().__init__(message)
        self.step = step


@dataclass(frozen=True)
class Outcome:
    name: str
    passed: bool
    detail: str = ""
    case_ref: str | None = None  # the case the story made (the demo seed names it)
    failed_step: int | None = None  # the index of the step that failed

    def step_results(self, scenario: Scenario) -> list[tuple[str, str]]:
        """(what each step does, "passed" / "failed" / "not run"), for the modeller."""
        failed = self.failed_step
        return [
            (
                step.describe(),
                "passed"
                if self.passed or (failed is not None and step.index < failed)
                else "failed"
                if step.index == failed
                else "not run",
            )
            for step in scenario.steps
        ]

    def line(self) -> str:
        return f"{'PASS' if self.passed else 'FAIL'}  {self.name}" + (
            f"\n      {self.detail}" if self.detail else ""
        )


class Run:
    """Runs one scenario; with ``clock=None`` it runs in real time (demo data: no waiting)."""

    def __init__(self, engine: Engine, clock: FixedClock | None, scenario: Scenario) -> None:
        self.engine, self.clock, self.scenario = engine, clock, scenario
        self.case_ref: str | None = None
        self.instances: dict[str, int] = {}

    # -- setup ----------------------------------------------------------------------------

    def prepare(self) -> None:
        """One user per role named after it (``caseworker``), plus the scenario's extra users."""
        if self.clock is not None:
            self.clock.set(self.scenario.start_at)
        for role in self.engine.roles(actor="system"):
            if not self.engine.user_exists(role):
                self.engine.add_user(role, roles=[role])
        for username, roles in self.scenario.users.items():
            if not self.engine.user_exists(username):
                self.engine.add_user(username, roles=roles)

    # -- steps ----------------------------------------------------------------------------

    def run(self) -> None:
        self.prepare()
        handlers: dict[str, Callable[[Step], None]] = {
            "start": self._start,
            "member": self._member,
            "complete": self._complete,
            "refused": self._refused,
            "claim": self._claim,
            "wait": self._wait,
            "expect": self._expect,
        }
        for step in self.scenario.steps:
            try:
                handlers[step.kind](step)
            except ScenarioFailed as failure:
                raise ScenarioFailed(f"{step.describe()}: {failure}", step.index) from None
            except EngineError as err:
                raise ScenarioFailed(
                    f"{step.describe()}: refused unexpectedly: {err.message}", step.index
                ) from err

    def _start(self, step: Step) -> None:
        started = self.engine.start(
            step.target,
            actor=step.options.get("as", DEFAULT_PERSON),
            case_ref=self.case_ref,
            data=step.options.get("data"),
        )
        self.case_ref = started.case_ref
        self.instances[step.target] = started.instance_id

    def _member(self, step: Step) -> None:
        """Give someone of another agency access to the case (its team), with a reason."""
        if self.case_ref is None:
            raise ScenarioFailed("no case yet: start a pathway first")
        self.engine.add_case_member(
            self.case_ref,
            step.target,
            actor=step.options.get("as", DEFAULT_PERSON),
            reason=step.options.get("reason", ""),
        )

    def _task_id(self, step: Step) -> str:
        if self.case_ref is None:
            raise ScenarioFailed("no case yet: start a pathway first")
        ready = self._open(self.case_ref)
        matches = [t for t in ready if t.bpmn_id == step.target]
        if "in" in step.options:
            matches = [
                t for t in matches if t.instance_id == self.instances.get(step.options["in"])
            ]
        if len(matches) != 1:
            open_ids = sorted(t.bpmn_id for t in ready)
            raise ScenarioFailed(
                f"expected one open task {step.target!r}, found {len(matches)}; open: {open_ids}"
            )
        return matches[0].id

    def _open(self, case_ref: str):
        return self.engine.tasks_for(DEFAULT_PERSON, case_ref=case_ref)

    def _answers(self, step: Step) -> dict[str, Any]:
        return resolve_days(step.options.get("answers", {}), self.engine.clock.now())

    def _complete(self, step: Step) -> None:
        self.engine.complete_task(
            self._task_id(step),
            actor=step.options.get("as", DEFAULT_PERSON),
            answers=self._answers(step),
        )

    def _claim(self, step: Step) -> None:
        self.engine.claim(self._task_id(step), actor=step.options.get("as", DEFAULT_PERSON))

    def _refused(self, step: Step) -> None:
        task_id = self._task_id(step)
        before = self._fingerprint()
        try:
            self.engine.complete_task(
                task_id,
                actor=step.options.get("as", DEFAULT_PERSON),
                answers=self._answers(step),
            )
        except EngineError as err:
            because = step.options.get("because", "")
            if because and because.lower() not in err.message.lower():
                raise ScenarioFailed(
                    f"refused, but not because of {because!r}: {err.message}"
                ) from err
            if self._fingerprint() != before:
                raise ScenarioFailed("the refusal changed the case") from err
            return
        raise ScenarioFailed("expected a refusal, but the task was completed")

    def _wait(self, step: Step) -> None:
        if self.clock is None:
            raise ScenarioFailed("a real-time run cannot wait")
        self.clock.advance(parse_duration(step.target))
        self.engine.sweep_timers()

    # -- checks ---------------------------------------------------------------------------

    def _expect(self, step: Step) -> None:
        checks = step.target or {}
        unknown = set(checks) - set(self._CHECKS)
        if unknown:
            raise ScenarioFailed(f"unknown expectations: {sorted(unknown)}")
        for key, expected in checks.items():
            getattr(self, self._CHECKS[key])(expected)

    _CHECKS = {
        "open_tasks": "_check_open_tasks",
        "includes_tasks": "_check_includes",
        "excludes_tasks": "_check_excludes",
        "timers": "_check_timers",
        "timer_due": "_check_timer_due",
        "task_due": "_check_task_due",
        "facts": "_check_facts",
        "instances": "_check_instances",
        "audit": "_check_audit",
        "audit_by": "_check_audit_by",
        "audit_chain_ok": "_check_chain",
        "commitments": "_check_commitments",
    }

    def _open_ids(self) -> list[str]:
        return sorted(t.bpmn_id for t in self._open(self.case_ref)) if self.case_ref else []

    def _check_open_tasks(self, expected: list[str]) -> None:
        _equal("open tasks", self._open_ids(), sorted(expected))

    def _check_includes(self, expected: list[str]) -> None:
        open_ids = self._open_ids()
        for bpmn_id in expected:
            if bpmn_id not in open_ids:
                raise ScenarioFailed(f"task {bpmn_id!r} is not open; open: {open_ids}")

    def _check_excludes(self, expected: list[str]) -> None:
        for bpmn_id in expected:
            if bpmn_id in self._open_ids():
                raise ScenarioFailed(f"task {bpmn_id!r} should not be open")

    def _check_timers(self, expected: list[str]) -> None:
        waiting = sorted(
            t.bpmn_id for t in self.engine.timers(actor=DEFAULT_PERSON, case_ref=self.case_ref)
        )
        _equal("waiting timers", waiting, sorted(expected))

    def _check_timer_due(self, expected: dict[str, Any]) -> None:
        timers = self.engine.timers(actor=DEFAULT_PERSON, case_ref=self.case_ref)
        for bpmn_id, when in expected.items():
            due = [t.due_at for t in timers if t.bpmn_id == bpmn_id]
            _equal(f"due time of timer {bpmn_id}", due, [self._when(when)])

    def _check_task_due(self, expected: dict[str, Any]) -> None:
        tasks = self._open(self.case_ref)
        for bpmn_id, when in expected.items():
            due = [t.due_at for t in tasks if t.bpmn_id == bpmn_id]
            _equal(f"due time of task {bpmn_id}", due, [self._when(when)])

    def _check_facts(self, expected: dict[str, Any]) -> None:
        facts = self._facts()
        for key, value in expected.items():
            _equal(f"case fact {key}", facts.get(key), value)

    def _check_commitments(self, expected: dict[str, str]) -> None:
        """The protection commitments record of the case: ``{reflection_period: met}``."""
        with self.engine.db.read() as session:
            case = session.scalars(
                sa.select(ProtectionCase).where(ProtectionCase.ref == self.case_ref)
            ).one()
            statuses = {
                s.key: s.status for s in record(case_history(session, self.engine.services, case))
            }
        for key, status in expected.items():
            if key not in statuses:
                raise ScenarioFailed(f"no commitment {key!r}; there are {sorted(statuses)}")
            _equal(f"commitment {key}", statuses[key], status)

    def _check_instances(self, expected: dict[str, str]) -> None:
        for process_key, status in expected.items():
            _equal(f"status of {process_key}", self._status(process_key), status)

    def _check_audit(self, expected: list[str]) -> None:
        actions = [e.action for e in self._history()]
        for action in expected:
            if action not in actions:
                raise ScenarioFailed(f"no audit event {action!r}")

    def _check_audit_by(self, expected: list[dict[str, str]]) -> None:
        seen = {(e.action, e.actor, e.detail.get("bpmn_id")) for e in self._history()}
        for entry in expected:
            wanted = (entry["action"], entry["actor"], entry.get("task"))
            if wanted not in seen:
                raise ScenarioFailed(f"no audit event {wanted!r}")

    def _check_chain(self, expected: bool) -> None:
        with self.engine.db.read() as session:  # the harness looks, as a test would: no actor
            report = chain.verify(session)
        if expected and not report.ok:
            raise ScenarioFailed(f"audit chain broken: {report.reason}")

    def _when(self, expected: Any):
        """An ISO time, or an offset from the scenario's start (``+30 days``)."""
        text = str(expected)
        if text.startswith("+"):
            return self.scenario.start_at + parse_duration(text[1:])
        return parse_instant(text)

    def _facts(self) -> dict[str, Any]:

        with self.engine.db.read() as session:
            case = session.scalars(
                sa.select(ProtectionCase).where(ProtectionCase.ref == self.case_ref)
            ).one()
            return load_facts(session, self.engine.keyring, case.id).values

    def _status(self, process_key: str) -> str | None:

        instance_id = self.instances.get(process_key)
        with self.engine.db.read() as session:
            row = session.get(ProcessInstance, instance_id) if instance_id else None
            return row.status if row else None

    def _history(self):
        events = []
        with self.engine.db.read() as session:
            for instance_id in self.instances.values():
                events.extend(instance_history(session, instance_id))
        return events

    def _fingerprint(self) -> tuple:
        with self.engine.db.read() as session:
            return (
                session.scalar(sa.text("SELECT max(seq) FROM audit_event")),
                tuple(
                    session.execute(
                        sa.text("SELECT id, version FROM process_instance ORDER BY id")
                    ).all()
                ),
            )


def _equal(what: str, actual: Any, expected: Any) -> None:
    if actual != expected:
        raise ScenarioFailed(f"{what}: expected {expected!r}, got {actual!r}")


def run_scenario(engine: Engine, clock: FixedClock | None, scenario: Scenario) -> Outcome:
    run = Run(engine, clock, scenario)
    try:
        run.run()
    except ScenarioFailed as failure:
        return Outcome(scenario.name, False, str(failure), run.case_ref, failure.step)
    return Outcome(scenario.name, True, case_ref=run.case_ref)
