"""Which version a pathway file deploy may replace: shipped files never silently undo an edit.

Every version records where it came from (``ProcessDefinition.origin``): a file deployed from
disk (the shipped ``workflows/``, or a file given to ``pathways deploy``) or an edit deployed
from the modeller. ``make run`` and upgrades deploy ``workflows/`` every time; without this
rule, a file that differs from the live version replaced a coordinator's edit for every new
case.

When the live version is an edit and a file deploy brings other content:

* the file is the one shipped before the edit (what the coordinator edited): nothing new was
  shipped, the edit stays live, silently;
* the file is new (a release changed the pathway): the deploy is refused with the edit named,
  unless told to keep the edit and deploy the rest (``keep``, what ``make run`` does) or to
  replace the edit (``replace``, which needs a change note saying why).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.definitions.models import ProcessDefinition
from engine.errors import Problem


class Origin(StrEnum):
    FILE = "file"
    MODELLER = "modeller"


class EditPolicy(StrEnum):
    """What a file deploy does when a new shipped file meets a live edit."""

    REFUSE = "refuse"
    KEEP = "keep"
    REPLACE = "replace"


@dataclass(frozen=True)
class Verdict:
    """``deploy``: write the new version; otherwise keep the live one, and ``problem`` (when
    set) refuses the whole deployment."""

    deploy: bool
    kept_edit: bool = False
    shipped_pending: bool = False  # a new shipped file is waiting behind the edit
    problem: Problem | None = None


def last_shipped(session: Session, key: str, kind: str) -> ProcessDefinition | None:
    """The newest version of a pathway that came from a file."""
    return session.scalars(
        select(ProcessDefinition)
        .where(
            ProcessDefinition.process_key == key,
            ProcessDefinition.kind == kind,
            ProcessDefinition.origin == Origin.FILE,
        )
        .order_by(ProcessDefinition.version.desc())
        .limit(1)
    ).first()


def judge(
    session: Session,
    live: ProcessDefinition,
    *,
    content_hash: str,
    file_name: str,
    origin: Origin,
    policy: EditPolicy,
) -> Verdict:
    """A candidate whose content differs from the live version ``live``."""
    if origin != Origin.FILE or live.origin != Origin.MODELLER:
        return Verdict(deploy=True)
    shipped = last_shipped(session, live.process_key, live.kind)
    if shipped is not None and shipped.content_hash == content_hash:
        return Verdict(deploy=False, kept_edit=True)
    if policy == EditPolicy.KEEP:
        return Verdict(deploy=False, kept_edit=True, shipped_pending=True)
    if policy == EditPolicy.REPLACE:
        return Verdict(deploy=True)
    return Verdict(
        deploy=False,
        problem=Problem(
            file_name,
            None,
            f"{live.process_key} v{live.version} was edited in the modeller by"
            f" {live.deployed_by} on {live.deployed_at:%Y-%m-%d}, and this file is a different"
            " shipped version: deploying it would replace that edit for every new case. Carry"
            " the edit over in the modeller, keep the edit and deploy the rest"
            " (pathways deploy --keep-edits), or replace it on purpose"
            ' (pathways deploy --replace-edits --note "why").',
        ),
    )
