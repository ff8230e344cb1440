"""Roles the deployed pathways use: every lane of every latest definition, plus the built-ins."""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine.definitions import repository
from engine.spiff.parsing import NS, parse_xml
from engine.users.roles import BUILTIN_ROLES, normalise_role


def lane_roles(session: Session) -> list[str]:
    roles: set[str] = set()
    for definition in repository.latest_all(session):
        if definition.kind != "bpmn":
            continue
        root = parse_xml(definition.source, definition.file_name)
        for process in root.iterfind("bpmn:process", NS):
            if process.get("id") != definition.process_key:
                continue
            roles.update(
                normalise_role(lane.get("name"))
                for lane in process.iter(f"{{{NS['bpmn']}}}lane")
                if lane.get("name")
            )
    return sorted(roles)


def configured_roles(session: Session) -> list[str]:
    return sorted(set(lane_roles(session)) | BUILTIN_ROLES)
