"""Every mapped table, imported in one place for Alembic and for relationship resolution."""

from engine.audit.models import AuditChainHead, AuditEvent
from engine.db.base import Base
from engine.definitions.models import ProcessDefinition
from engine.instances.models import CaseRefCounter, InstanceState, ProcessInstance, ProtectionCase
from engine.tasks.models import HumanTask
from engine.timers.models import Timer
from engine.users.models import User, UserRole

__all__ = [
    "AuditChainHead",
    "AuditEvent",
    "Base",
    "CaseRefCounter",
    "HumanTask",
    "InstanceState",
    "ProcessDefinition",
    "ProcessInstance",
    "ProtectionCase",
    "Timer",
    "User",
    "UserRole",
]
