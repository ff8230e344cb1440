"""The modeller's writes: drafts of pathways, forms and scenarios, and what a look records.

Validating and simulating run a coordinator's code, so they too are recorded: who, when,
and which code (by its hash; the text may be a draft nobody keeps).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from lxml import etree
from sqlalchemy.orm import Session

from engine.audit import trail
from engine.audit.actions import AuditAction
from engine.errors import InvalidRequest
from engine.modeller import catalogue, scenario_catalogue
from engine.modeller.blank import blank_source
from engine.services import Services
from engine.spiff.parsing import UnsafeXml, parse_xml
from engine.users.actors import Actor, require_coordinator, required_reason

MODELLER = "use the modeller"


def record_look(
    session: Session,
    services: Services,
    *,
    actor: Actor,
    action: AuditAction,
    file_name: str,
    source: str,
) -> None:
    require_coordinator(actor, MODELLER)
    digest = hashlib.sha256(source.encode("utf-8", "replace")).hexdigest()
    trail.record(
        session,
        services,
        actor,
        action,
        detail={"file": catalogue.check_file_name(file_name), "source_sha256": digest},
    )


def save_pathway_draft(
    session: Session, services: Services, *, actor: Actor, file_name: str, source: str
) -> None:
    """Work in progress may be invalid, never hostile: unsafe or unparsable XML is refused."""
    require_coordinator(actor, MODELLER)
    name = catalogue.check_file_name(file_name)
    try:
        parse_xml(source, name)
    except UnsafeXml as err:
        raise InvalidRequest(err.message) from err
    except etree.XMLSyntaxError as err:
        raise InvalidRequest(f"{name} is not well-formed XML: {err}") from err
    catalogue.save_draft(session, name, source, actor=actor.username, now=services.clock.now())
    trail.record(session, services, actor, AuditAction.DRAFT_SAVED, detail={"file": name})


def new_pathway_file(
    session: Session, services: Services, *, actor: Actor, file_name: str, role: str
) -> str:
    """A new diagram (or decision file) as a draft; an existing name is never overwritten."""
    require_coordinator(actor, MODELLER)
    name = catalogue.check_file_name(file_name)
    if catalogue.file_exists(session, name):
        raise InvalidRequest(f"{name} already exists: open it from the list")
    source = blank_source(name, role)
    catalogue.save_draft(session, name, source, actor=actor.username, now=services.clock.now())
    trail.record(
        session, services, actor, AuditAction.DRAFT_SAVED, detail={"file": name, "new": True}
    )
    return name


def discard_pathway_draft(
    session: Session, services: Services, *, actor: Actor, file_name: str
) -> None:
    require_coordinator(actor, MODELLER)
    catalogue.discard_draft(session, file_name)
    trail.record(session, services, actor, AuditAction.DRAFT_DISCARDED, detail={"file": file_name})


def record_deploy_blocked(
    session: Session, services: Services, *, actor: Actor, file_name: str, failed: list[str]
) -> None:
    """A deployment the scenarios refused: the draft stays a draft, and the attempt is kept."""
    trail.record(
        session,
        services,
        actor,
        AuditAction.DEPLOY_BLOCKED,
        detail={"file": file_name, "failed": failed},
    )


def settle_deployment(
    session: Session,
    services: Services,
    *,
    actor: Actor,
    file_name: str,
    seen: dict[str, str | None],
) -> None:
    """After a modeller deployment: the pathway draft is gone, and the scenario drafts the
    passing run saw (``seen``) are live; one changed since that run stays a draft."""
    catalogue.discard_draft(session, catalogue.check_file_name(file_name))
    published = scenario_catalogue.publish_drafts(
        session, seen, actor=actor.username, now=services.clock.now()
    )
    for name, retired in published:
        trail.record(
            session,
            services,
            actor,
            AuditAction.SCENARIO_DEPLOYED,
            detail={"scenario": name, "retired": retired, "with_file": file_name},
        )


def save_form(session: Session, services: Services, *, actor: Actor, name: str, text: str) -> None:
    require_coordinator(actor, MODELLER)
    catalogue.save_form(session, name, text, actor=actor.username, now=services.clock.now())
    trail.record(session, services, actor, AuditAction.FORM_SAVED, detail={"form": name})


def save_scenario_draft(
    session: Session, services: Services, *, actor: Actor, name: str, text: str
) -> None:
    """A new or edited scenario waits as a draft; it goes live with the next deployment
    whose scenarios, this one included, all pass."""
    require_coordinator(actor, MODELLER)
    scenario_catalogue.save_draft(
        session, name, text, actor=actor.username, now=services.clock.now()
    )
    trail.record(
        session, services, actor, AuditAction.SCENARIO_DRAFT_SAVED, detail={"scenario": name}
    )


def retire_scenario(
    session: Session,
    services: Services,
    *,
    actor: Actor,
    name: str,
    reason: str,
    scenarios_dir: Path,
) -> None:
    """A scenario a structural change made obsolete stops being required at the next
    deployment; it proved a rule, so why it goes is recorded."""
    require_coordinator(actor, MODELLER)
    why = required_reason(reason)
    scenario_catalogue.text_of(session, scenarios_dir, name)  # it exists
    scenario_catalogue.save_draft(
        session, name, None, actor=actor.username, now=services.clock.now()
    )
    trail.record(
        session,
        services,
        actor,
        AuditAction.SCENARIO_DRAFT_SAVED,
        detail={"scenario": name, "retire": True, "reason": why},
    )


def discard_scenario_draft(
    session: Session, services: Services, *, actor: Actor, name: str
) -> None:
    require_coordinator(actor, MODELLER)
    if scenario_catalogue.discard_draft(session, name):
        trail.record(
            session,
            services,
            actor,
            AuditAction.SCENARIO_DRAFT_DISCARDED,
            detail={"scenario": name},
        )
