"""Queries over deployed definitions (never commit)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.definitions.models import ProcessDefinition
from engine.definitions.validation import DeployedIndex
from engine.errors import NotFound


def latest(session: Session, key: str, kind: str = "bpmn") -> ProcessDefinition | None:
    return session.scalars(
        select(ProcessDefinition)
        .where(ProcessDefinition.process_key == key, ProcessDefinition.kind == kind)
        .order_by(ProcessDefinition.version.desc())
        .limit(1)
    ).first()


def latest_all(session: Session) -> list[ProcessDefinition]:
    newest = (
        select(ProcessDefinition.process_key, func.max(ProcessDefinition.version).label("v"))
        .group_by(ProcessDefinition.process_key)
        .subquery()
    )
    return list(
        session.scalars(
            select(ProcessDefinition)
            .join(
                newest,
                (ProcessDefinition.process_key == newest.c.process_key)
                & (ProcessDefinition.version == newest.c.v),
            )
            .order_by(ProcessDefinition.kind, ProcessDefinition.process_key)
        )
    )


def deployed_index(session: Session) -> DeployedIndex:
    live = latest_all(session)
    from_lane: set[str] = set()
    for definition in live:
        from_lane.update(references(definition).get("from_lane", []))
    return DeployedIndex(
        process_keys=frozenset(d.process_key for d in live if d.kind == "bpmn"),
        decision_keys=frozenset(d.process_key for d in live if d.kind == "dmn"),
        called_from_lane=frozenset(from_lane),
        decision_sources={d.process_key: (d.file_name, d.source) for d in live if d.kind == "dmn"},
    )


def references(definition: ProcessDefinition) -> dict[str, list[str]]:
    return json.loads(definition.called_keys_json or "{}")


@dataclass(frozen=True)
class Pinned:
    """The definition ids one instance runs on: its root, called processes and decisions."""

    processes: dict[str, int]
    decisions: dict[str, int]

    def to_json(self) -> str:
        return json.dumps(
            {"processes": self.processes, "decisions": self.decisions}, sort_keys=True
        )

    @classmethod
    def from_json(cls, text: str) -> Pinned:
        data = json.loads(text or "{}")
        return cls(dict(data.get("processes", {})), dict(data.get("decisions", {})))


def pin_latest(session: Session, root: ProcessDefinition) -> Pinned:
    """Fix the current latest version of everything ``root`` calls, transitively."""
    processes = {root.process_key: root.id}
    decisions: dict[str, int] = {}
    pending = [root]
    while pending:
        definition = pending.pop()
        refs = references(definition)
        for key in refs.get("processes", []):
            if key not in processes:
                called = latest(session, key, "bpmn")
                if called is None:
                    raise NotFound(f"{definition.process_key} calls {key!r}, which is not deployed")
                processes[key] = called.id
                pending.append(called)
        for key in refs.get("decisions", []):
            if key not in decisions:
                decision = latest(session, key, "dmn")
                if decision is None:
                    raise NotFound(
                        f"{definition.process_key} uses decision {key!r}, which is not deployed"
                    )
                decisions[key] = decision.id
    return Pinned(processes, decisions)
