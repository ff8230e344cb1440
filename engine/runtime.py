"""The engine facade: one method per command or query, one transaction per command.

Callers (CLI, web, scheduler) pass usernames; the facade resolves them to
actors inside the command's own transaction, so a deactivation takes effect
immediately. Lost optimistic-lock races are retried from a fresh read; a
retry that finds the work already done reports a :class:`ConflictError`.
Each concept's operations live in ``engine/facade/``.
"""

from __future__ import annotations

from engine.facade.accountability import AccountabilityFacade
from engine.facade.admin import AdminFacade
from engine.facade.audit import AuditFacade
from engine.facade.cases import CasesFacade
from engine.facade.definitions import DefinitionsFacade
from engine.facade.instances import InstancesFacade
from engine.facade.keys import KeysFacade
from engine.facade.messages import MessagesFacade
from engine.facade.migration import MigrationFacade
from engine.facade.modeller import ModellerFacade
from engine.facade.scenarios import ScenariosFacade
from engine.facade.tasks import TasksFacade
from engine.facade.timers import TimersFacade
from engine.facade.users import UsersFacade


class Engine(
    DefinitionsFacade,
    InstancesFacade,
    MessagesFacade,
    TasksFacade,
    CasesFacade,
    TimersFacade,
    AuditFacade,
    UsersFacade,
    AdminFacade,
    ScenariosFacade,  # before ModellerFacade, which it extends
    ModellerFacade,
    AccountabilityFacade,
    MigrationFacade,
    KeysFacade,
):
    """Everything the web app, the CLI and the scheduler may ask of the engine."""
