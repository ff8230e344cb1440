"""Delivering a BPMN message: one command, one transaction, audited like an answer.

Another agency's answer (an asylum decision, a court date, a risk report)
reaches a case as a message. It goes to the elements waiting for it in the
case's running pathways (``case_ref``), or in the pathways whose correlation
values match (``keys``); when nothing waits but a pathway starts on that
message, it starts one. Nothing is dropped silently: when no element waits and
no pathway starts, the sender is told so (:class:`NotFound`) and nothing changes.

Who may send is :func:`may_send`: the role of the lane of the waiting element
(the start lane for a message start), or an administrator.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit.actions import AuditAction
from engine.cases.access import access_case_by_ref
from engine.definitions import repository
from engine.definitions.models import ProcessDefinition
from engine.errors import FormValidationFailed, InvalidRequest, NotFound, PermissionDenied
from engine.forms.schemas import answer_errors, without_blank_text
from engine.instances import commands as instance_commands
from engine.instances import store
from engine.instances.case_refs import CASE_REF, normalise_ref
from engine.instances.models import InstanceStatus, ProcessInstance, ProtectionCase
from engine.services import Services
from engine.spiff import messages, stepping
from engine.spiff.serialization import SCRIPT_ENGINE
from engine.users.actors import Actor

MAX_NAME = 200
MAX_DATA_BYTES = 64 * 1024


@dataclass(frozen=True)
class Sent:
    delivered: list[int]
    started: list[int]

    def as_dict(self) -> dict[str, Any]:
        return {"delivered": self.delivered, "started": self.started}


def may_send(actor: Actor, catch: messages.WaitingCatch) -> bool:
    return actor.is_admin or (catch.role is not None and catch.role in actor.roles)


def _checked(name: Any, keys: Any, data: Any) -> tuple[str, dict[str, str], dict[str, Any]]:
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        raise InvalidRequest(f"a message needs a name of at most {MAX_NAME} characters")
    if keys is not None and (
        not isinstance(keys, dict) or not all(isinstance(v, str | int) for v in keys.values())
    ):
        raise InvalidRequest('keys are names and values: {"case_number": "AS-2026-17"}')
    if data is not None and not isinstance(data, dict):
        raise InvalidRequest("message data must be a JSON object")
    data = without_blank_text(data or {})
    if len(json.dumps(data)) > MAX_DATA_BYTES:
        raise InvalidRequest(f"message data may hold at most {MAX_DATA_BYTES // 1024} KB")
    bad = [k for k in data if not isinstance(k, str) or not k.isidentifier() or k.startswith("_")]
    if bad:
        raise InvalidRequest(f"message data field names must be plain names: {bad[:3]}")
    return name.strip(), {str(k): str(v) for k, v in (keys or {}).items()}, data


def _candidates(session: Session, name: str, case: ProtectionCase | None) -> list[ProcessInstance]:
    """Running instances that may wait for ``name``: the case's, or those whose pinned
    definitions mention the message at all (their text is a cheap first filter)."""
    query = select(ProcessInstance).where(ProcessInstance.status == InstanceStatus.RUNNING)
    if case is not None:
        return list(session.scalars(query.where(ProcessInstance.case_id == case.id)))
    mentioning = set(
        session.scalars(
            select(ProcessDefinition.id).where(
                ProcessDefinition.kind == "bpmn",
                ProcessDefinition.source.contains(name, autoescape=True),
            )
        )
    )
    return [
        row
        for row in session.scalars(query.order_by(ProcessInstance.id))
        if mentioning & set(json.loads(row.pinned_json).get("processes", {}).values())
    ]


def _matching(catch: messages.WaitingCatch, keys: dict[str, str]) -> bool:
    if not keys:
        return True
    expected = catch.correlation(SCRIPT_ENGINE.environment.evaluate)
    return all(k in expected and str(expected[k]) == v for k, v in keys.items())


def _validate(
    session: Session, services: Services, loaded: store.LoadedInstance, catches, data
) -> None:
    for catch in catches:
        if catch.form:
            schema = services.specs.form_schema(
                session, loaded.pinned, catch.process_key, catch.form
            )
            errors = answer_errors(schema, data, now=services.clock.now())
            if errors:
                raise FormValidationFailed(errors)


def _deliver(
    session: Session,
    services: Services,
    loaded: store.LoadedInstance,
    catches: list[messages.WaitingCatch],
    *,
    actor: Actor,
    name: str,
    data: dict[str, Any],
) -> None:
    refused = [c for c in catches if not may_send(actor, c)]
    if refused:
        raise PermissionDenied(
            f"the message {name!r} is awaited by the role {refused[0].role!r},"
            " which you do not hold"
        )
    _validate(session, services, loaded, catches, data)
    with stepping.stepping(loaded.step(services)):
        # The message carries what its correlation values are computed from (SpiffWorkflow
        # reads them from the payload); the sender's data comes on top.
        carried: dict[str, Any] = {}
        for catch in catches:
            carried.update(catch.correlation_inputs())
        messages.deliver(loaded.workflow, catches, {**carried, **data})
        stepping.run_on(loaded.workflow)
    received = store.Happened(
        AuditAction.MESSAGE_RECEIVED,
        detail={"message": name, "elements": sorted({c.bpmn_id for c in catches})},
        payload={"data": data} if data else None,
    )
    store.save_and_record(
        session, services, loaded, services.clock.now(), actor=actor.username, events=[received]
    )


def _start_on_message(
    session: Session,
    services: Services,
    *,
    actor: Actor,
    name: str,
    case_ref: str | None,
    data: dict[str, Any],
) -> list[int]:
    started = []
    for definition in repository.latest_all(session):
        if definition.kind != "bpmn" or name not in definition.source:
            continue
        pinned = repository.pin_latest(session, definition)
        spec = services.specs.spec(session, definition.id, pinned)
        if name not in set(messages.start_messages(spec)):
            continue
        begun = instance_commands.start_instance(
            session, services, process_key=definition.process_key, actor=actor, case_ref=case_ref
        )
        loaded = store.load(session, services, begun.instance_id)
        catches = messages.waiting_catches(loaded.workflow, name)
        if catches:
            _deliver(session, services, loaded, catches, actor=actor, name=name, data=data)
        started.append(begun.instance_id)
    return started


def send_message(
    session: Session,
    services: Services,
    *,
    actor: Actor,
    name: Any,
    case_ref: str | None = None,
    keys: Any = None,
    data: Any = None,
) -> Sent:
    name, keys, data = _checked(name, keys, data)
    if case_ref is None and not keys:
        raise InvalidRequest("say where the message goes: a case reference or correlation keys")
    case_ref = normalise_ref(case_ref)
    if case_ref is not None and (not isinstance(case_ref, str) or not CASE_REF.match(case_ref)):
        raise InvalidRequest("case_ref must be a case reference like PP-2026-000042")
    case = access_case_by_ref(session, actor, case_ref, view="message") if case_ref else None
    delivered = []
    for row in _candidates(session, name, case):
        loaded = store.load(session, services, row.id)
        catches = [c for c in messages.waiting_catches(loaded.workflow, name) if _matching(c, keys)]
        if catches:
            _deliver(session, services, loaded, catches, actor=actor, name=name, data=data)
            delivered.append(row.id)
    started = []
    if not delivered:
        started = _start_on_message(
            session, services, actor=actor, name=name, case_ref=case_ref, data=data
        )
    if not delivered and not started:
        where = f" in case {case.ref}" if case else " with those keys"
        raise NotFound(f"nothing waits for the message {name!r}{where}; nothing was changed")
    return Sent(delivered, started)
