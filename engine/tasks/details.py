"""A task page in one read: the task, its form, instructions, a draft, and case context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine.definitions.repository import Pinned
from engine.instances.facts import load_facts
from engine.instances.models import ProcessInstance
from engine.services import Services
from engine.tasks import access, queries
from engine.tasks.drafts import load_draft
from engine.tasks.models import HumanTask
from engine.users.actors import Actor

INSTRUCTIONS = "instructionsForEndUser"
# The case context a task page shows: enough to act safely, nothing more.
TASK_CONTEXT_FACTS = {
    "presumption_reasoning": "Presumption rule",
    "is_child": "Child",
    "language": "Language understood",
    "interpreter_needed": "Needs an interpreter",
    "reflection_ends_at": "Reflection period ends",
    "asylum_pending": "Asylum claim pending",
    "non_refoulement": "Non-refoulement",
    # Shown on the best-interests determination and the return risk assessment above all.
    "family_complicity": "Family members involved in the trafficking (family tracing)",
    "bid_family_complicity": "Family members involved in the trafficking (best-interests panel)",
}


@dataclass(frozen=True)
class TaskDetails:
    task: queries.TaskView
    schema: dict[str, Any] | None
    instructions: str
    draft: dict[str, Any] | None
    context: list[tuple[str, Any]]
    pathway: str
    instance_status: str
    can_complete: bool


def task_details(session: Session, services: Services, row: HumanTask, actor: Actor) -> TaskDetails:
    instance = session.get(ProcessInstance, row.instance_id)
    pinned = Pinned.from_json(instance.pinned_json)
    schema = None
    if row.form:
        schema = services.specs.form_schema(session, pinned, row.process_key, row.form)
    definition_id = pinned.processes.get(row.process_key)
    instructions = ""
    if definition_id is not None:
        task_spec = services.specs.parsed(session, definition_id, pinned).task_spec(row.bpmn_id)
        extensions = getattr(task_spec, "extensions", None) or {}
        instructions = extensions.get(INSTRUCTIONS) or ""
    facts = load_facts(session, services.keyring, row.case_id).values
    context = [(label, facts[key]) for key, label in TASK_CONTEXT_FACTS.items() if key in facts]
    root = services.specs.definition(session, instance.definition_id)
    return TaskDetails(
        task=queries.view_of(session, row),
        schema=schema,
        instructions=instructions.strip(),
        draft=load_draft(session, services.keyring, row.id, actor.username),
        context=context,
        pathway=root.name,
        instance_status=instance.status,
        can_complete=access.may_complete(actor, row),
    )
