"""Every mapped table, imported in one place for Alembic and for relationship resolution."""

from engine.audit.models import AuditChainHead, AuditEvent
from engine.cases.models import CaseMember
from engine.db.base import Base
from engine.definitions.models import ProcessDefinition
from engine.incidents.models import Incident
from engine.instances.models import (
    CaseFactsRow,
    CaseRefCounter,
    InstanceState,
    ProcessInstance,
    ProtectionCase,
)
from engine.modeller.models import FormSource, PathwayDraft, ScenarioDraft, ScenarioSource
from engine.tasks.models import HumanTask, TaskDraft
from engine.timers.models import SchedulerLock, Timer
from engine.users.models import ApiToken, User, UserRole, WebSession

__all__ = [
    "ApiToken",
    "AuditChainHead",
    "AuditEvent",
    "Base",
    "CaseFactsRow",
    "CaseMember",
    "CaseRefCounter",
    "FormSource",
    "HumanTask",
    "Incident",
    "InstanceState",
    "PathwayDraft",
    "ProcessDefinition",
    "ProcessInstance",
    "ProtectionCase",
    "ScenarioDraft",
    "ScenarioSource",
    "SchedulerLock",
    "TaskDraft",
    "Timer",
    "User",
    "UserRole",
    "WebSession",
]
