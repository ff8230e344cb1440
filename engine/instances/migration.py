"""Moving a running instance to a newer version of its pathway.

A case lives for a year or more; a pathway fixed today should reach the cases already on it.
Moving one instance carries its workflow state onto the new version's specs (SpiffWorkflow's
spec diff aligns the tasks by BPMN id), in the instance's own transaction, or not at all:

* the open tasks keep their ids, so their rows, assignees and drafts stay theirs;
* a waiting timer keeps the due date it was armed with. SpiffWorkflow's own
  ``migrate_workflow`` resets waiting tasks, which re-arms a timer from the moment of
  migration (a 30-day period 12 days in would end on day 42); here only the *predicted*
  steps after each open task or waiting event are thrown away and predicted again from the
  new diagram, and the task itself, its data and its timer are left as they were;
* the called pathways the instance already runs keep their pinned versions; one the new
  version calls for the first time is pinned at its latest version, as for a new case.

An instance cannot move when something it has done or is doing has no place in the new
version: its current step was removed, it passed through a step that was removed (its history
would not fit the diagram), or it is inside a called pathway the new version no longer calls.
The plan names the reason in plain words, and such an instance is left exactly as it was.
After the move the state is saved and loaded back with the new specs before anything is
written, so a state that would not load again is refused rather than stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.util.diff import WorkflowDiff, diff_workflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.audit.actions import AuditAction
from engine.definitions import repository
from engine.definitions.models import ProcessDefinition
from engine.definitions.repository import Pinned
from engine.errors import InvalidRequest, NotFound
from engine.instances import store
from engine.instances.models import InstanceStatus, ProcessInstance, ProtectionCase
from engine.services import Services
from engine.spiff import serialization
from engine.users.actors import Actor, require_coordinator, required_reason

ALIVE = (InstanceStatus.RUNNING, InstanceStatus.SUSPENDED)
_OPEN = TaskState.READY | TaskState.WAITING
_PREDICTED = TaskState.PREDICTED_MASK | TaskState.FUTURE


@dataclass(frozen=True)
class PlanLine:
    """One instance in a migration plan (or its outcome)."""

    instance_id: int
    case_ref: str
    from_version: int
    to_version: int
    problems: list[str] = field(default_factory=list)

    @property
    def can_migrate(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "instance_id": self.instance_id,
            "case_ref": self.case_ref,
            "from_version": self.from_version,
            "to_version": self.to_version,
            "can_migrate": self.can_migrate,
            "problems": list(self.problems),
        }


class MigrationRefused(InvalidRequest):
    """This instance cannot move to that version; nothing was changed."""

    def __init__(self, line: PlanLine) -> None:
        super().__init__(
            f"instance {line.instance_id} ({line.case_ref}) cannot move to version"
            f" {line.to_version}: " + "; ".join(line.problems)
        )
        self.line = line


def target_version(session: Session, process_key: str, version: int) -> ProcessDefinition:
    found = session.scalars(
        select(ProcessDefinition).where(
            ProcessDefinition.process_key == process_key,
            ProcessDefinition.kind == "bpmn",
            ProcessDefinition.version == version,
        )
    ).first()
    if found is None:
        raise NotFound(f"no version {version} of pathway {process_key!r}")
    return found


def candidates(
    session: Session, target: ProcessDefinition, from_version: int | None = None
) -> list[tuple[ProcessInstance, ProtectionCase, int]]:
    """Running and suspended instances of the pathway on an older version, oldest first."""
    query = (
        select(ProcessInstance, ProtectionCase, ProcessDefinition.version)
        .join(ProtectionCase, ProtectionCase.id == ProcessInstance.case_id)
        .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .where(
            ProcessInstance.process_key == target.process_key,
            ProcessInstance.status.in_(ALIVE),
            ProcessDefinition.version < target.version,
        )
        .order_by(ProcessInstance.id)
    )
    if from_version is not None:
        query = query.where(ProcessDefinition.version == from_version)
    return [(row, case, version) for row, case, version in session.execute(query).all()]


@dataclass(frozen=True)
class Waiting:
    """A pathway with cases still running on versions older than its latest."""

    process_key: str
    name: str
    latest_version: int
    running_by_version: dict[int, int]


def waiting(session: Session) -> list[Waiting]:
    """Every pathway whose running or suspended cases are not all on its latest version."""
    latest = {d.process_key: d for d in repository.latest_all(session) if d.kind == "bpmn"}
    counts = session.execute(
        select(ProcessInstance.process_key, ProcessDefinition.version, func.count())
        .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .where(ProcessInstance.status.in_(ALIVE))
        .group_by(ProcessInstance.process_key, ProcessDefinition.version)
    ).all()
    older: dict[str, dict[int, int]] = {}
    for key, version, count in counts:
        if key in latest and version < latest[key].version:
            older.setdefault(key, {})[version] = count
    return [
        Waiting(key, latest[key].name, latest[key].version, dict(sorted(by_version.items())))
        for key, by_version in sorted(older.items())
    ]


MIGRATE = "migrate running cases to another pathway version"


def require_may_migrate(actor: Actor) -> None:
    require_coordinator(actor, MIGRATE)


def plan(
    session: Session,
    services: Services,
    process_key: str,
    to_version: int,
    *,
    from_version: int | None = None,
) -> list[PlanLine]:
    """What moving each older instance would meet; changes nothing."""
    target = target_version(session, process_key, to_version)
    lines = []
    for row, case, version in candidates(session, target, from_version):
        loaded = store.load(session, services, row.id, for_change=False)
        moved = _carry_over(session, services, loaded, target)
        lines.append(PlanLine(row.id, case.ref, version, target.version, moved.problems))
    return lines


def migrate_instance(
    session: Session,
    services: Services,
    *,
    instance_id: int,
    process_key: str,
    to_version: int,
    actor: Actor,
    reason: str,
) -> PlanLine:
    """Move one instance, in the caller's transaction; raises :class:`MigrationRefused`.

    The target is read in that transaction too: a retried command judges the instance
    again against what is deployed then.
    """
    require_may_migrate(actor)
    reason = required_reason(reason)
    target = target_version(session, process_key, to_version)
    loaded = store.load(session, services, instance_id)
    if loaded.row.process_key != target.process_key:
        raise InvalidRequest(f"instance {instance_id} does not run {target.process_key}")
    from_version = services.specs.definition(session, loaded.row.definition_id).version
    line = PlanLine(instance_id, loaded.case.ref, from_version, target.version)
    if loaded.row.status not in ALIVE:
        raise MigrationRefused(_with(line, f"it is {loaded.row.status}"))
    if from_version >= target.version:
        raise MigrationRefused(_with(line, f"it already runs version {from_version}"))
    moved = _carry_over(session, services, loaded, target)
    if moved.problems:
        raise MigrationRefused(_with(line, *moved.problems))
    before = Pinned.from_json(loaded.row.pinned_json)
    loaded.workflow, loaded.pinned = moved.workflow, moved.pinned
    loaded.row.definition_id, loaded.row.pinned_json = target.id, moved.pinned.to_json()
    loaded.known = None  # the open tasks are read back and brought in line with the new diagram
    now = services.clock.now()
    store.save_and_record(
        session,
        services,
        loaded,
        now,
        actor=actor.username,
        events=[
            store.Happened(
                AuditAction.INSTANCE_MIGRATED,
                detail={
                    "from_version": from_version,
                    "to_version": target.version,
                    "reason": reason,
                    "versions_before": _versions(session, services, before),
                },
            )
        ],
    )
    return line


def _with(line: PlanLine, *problems: str) -> PlanLine:
    return PlanLine(
        line.instance_id, line.case_ref, line.from_version, line.to_version, list(problems)
    )


def _versions(session: Session, services: Services, pinned: Pinned) -> dict[str, int]:
    return {
        key: services.specs.definition(session, i).version for key, i in pinned.processes.items()
    }


@dataclass
class _Moved:
    workflow: BpmnWorkflow | None
    pinned: Pinned
    problems: list[str]


def _carry_over(
    session: Session, services: Services, loaded: store.LoadedInstance, target: ProcessDefinition
) -> _Moved:
    """The instance's workflow on the target version's specs, or why it cannot be.

    Works on the workflow it is given (a command's own copy, or a plan's throwaway one).
    """
    pinned = _pins_for(session, loaded.pinned, target)
    spec, dependencies = services.specs.specs_for(session, pinned, target.process_key)
    workflow = loaded.workflow
    top, subs = diff_workflow(serialization.registry(), workflow, spec, dependencies)
    problems = _problems(top, target.version)
    for sub_id, sub_diff in subs.items():
        sub = workflow.subprocesses[sub_id]
        if sub_diff is None:
            where = "inside" if sub.get_tasks(state=_OPEN) else "through"
            problems.append(
                f"it has gone {where} the called pathway or sub-process {sub.spec.name!r},"
                f" which version {target.version} no longer has"
            )
            continue
        problems.extend(_problems(sub_diff, target.version))
    if problems:
        return _Moved(None, pinned, _unique(problems))
    _move(top, workflow, spec)
    for sub_id, sub_diff in subs.items():
        sub = workflow.subprocesses[sub_id]
        if sub_diff is not None:
            _move(sub_diff, sub, dependencies[sub.spec.name])
    workflow.subprocess_specs = dict(dependencies)
    try:
        plain = serialization.dump(workflow)
        serialization.load(plain, (spec, dependencies), version=serialization.SERIALIZER_VERSION)
    except Exception as err:  # whatever fails here, the state is not stored
        return _Moved(None, pinned, [f"its state could not be carried over ({err})"])
    return _Moved(workflow, pinned, [])


def _pins_for(session: Session, current: Pinned, target: ProcessDefinition) -> Pinned:
    """The target version with the called pathways the instance already runs; pathways the
    target newly calls (and decisions it newly uses) at their latest versions."""
    latest = repository.pin_latest(session, target)
    processes = {
        key: current.processes.get(key, definition_id)
        for key, definition_id in latest.processes.items()
    }
    processes[target.process_key] = target.id
    decisions = {
        key: current.decisions.get(key, definition_id)
        for key, definition_id in latest.decisions.items()
    }
    return Pinned(processes, decisions)


def _problems(diff: WorkflowDiff, version: int) -> list[str]:
    problems = []
    for task in diff.removed:
        name = task.task_spec.bpmn_name or task.task_spec.name
        if task.state & (TaskState.READY | TaskState.WAITING | TaskState.STARTED):
            problems.append(f"its current step {name!r} is not in version {version}")
        elif task.state & TaskState.FINISHED_MASK:
            problems.append(
                f"its history holds the step {name!r}, which version {version} removed: the"
                " history would not fit the new diagram"
            )
        elif not _predicted_below_open(task):
            problems.append(f"its coming step {name!r} is not in version {version}")
    return problems


def _predicted_below_open(task: Task) -> bool:
    """A predicted step under an open task or waiting event: predicted again after the move."""
    parent = task.parent
    while parent is not None and parent.state & _PREDICTED:
        parent = parent.parent
    return parent is not None and bool(parent.state & _OPEN)


def _move(diff: WorkflowDiff, workflow, spec) -> None:
    """Point every task at its new spec; then, under each open task and waiting event, throw
    away the predicted steps and predict them again from the new diagram. The open tasks
    themselves (ids, data, a timer's due date) are not touched."""
    workflow.spec = spec
    for task in workflow.tasks.values():
        aligned = diff.alignment.get(task)
        if aligned is not None:
            task.task_spec = aligned
    for task in list(workflow.get_tasks(state=_OPEN, skip_subprocesses=True)):
        if task.id in workflow.tasks:
            # What SpiffWorkflow's reset_branch does, without resetting the task itself.
            task._drop_children(force=True)
            task.task_spec._predict(task, mask=_PREDICTED | task.state)
    if workflow.last_task is not None and workflow.last_task.id not in workflow.tasks:
        workflow.last_task = None


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
