"""The audit vocabulary: what administrators read and code writes, in one list."""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    DEFINITION_DEPLOYED = "definition:deployed"
    DRAFT_SAVED = "definition:draft:saved"
    DRAFT_DISCARDED = "definition:draft:discarded"
    DEPLOY_BLOCKED = "definition:deploy:blocked"
    DEFINITION_VALIDATED = "definition:validated"
    DEFINITION_SIMULATED = "definition:simulated"
    FORM_SAVED = "form:saved"
    SCENARIO_DRAFT_SAVED = "scenario:draft:saved"
    SCENARIO_DRAFT_DISCARDED = "scenario:draft:discarded"
    SCENARIO_DEPLOYED = "scenario:deployed"
    CASE_CREATED = "case:created"
    CASE_FACTS_CHANGED = "case:facts:changed"
    CASE_VIEWED = "case:viewed"
    CASE_ACCESS_REFUSED = "case:access:refused"
    CASE_DISCLOSED = "case:disclosed"
    CASE_CLOSED_AS_MISTAKE = "case:closed:mistake"
    STATISTICS_EXPORTED = "export:htcds"
    INSTANCE_STARTED = "instance:started"
    INSTANCE_COMPLETED = "instance:completed"
    INSTANCE_SUSPENDED = "instance:suspended"
    INSTANCE_RESUMED = "instance:resumed"
    INSTANCE_TERMINATED = "instance:terminated"
    INSTANCE_MIGRATED = "instance:migrated"
    TASK_CLAIMED = "instance:task:claimed"
    TASK_UNCLAIMED = "instance:task:unclaimed"
    TASK_REASSIGNED = "instance:task:reassigned"
    TASK_COMPLETED = "instance:task:completed"
    TASK_DRAFT_SAVED = "instance:task:draft:saved"
    TIMER_FIRED = "instance:timer:fired"
    MESSAGE_RECEIVED = "instance:message:received"
    TIMER_MOVED = "instance:timer:moved"
    INCIDENT_RAISED = "instance:incident:raised"
    INCIDENT_RETRIED = "instance:incident:retried"
    USER_CREATED = "user:created"
    USER_ROLES_CHANGED = "user:roles:changed"
    LOGIN_OK = "user:login:ok"
    LOGIN_FAILED = "user:login:failed"
    LOGIN_THROTTLED = "user:login:throttled"  # refused unchecked: too many attempts
    LOGOUT = "user:logout"
    TOKEN_CREATED = "user:token:created"  # noqa: S105 - an audit action name, not a secret
    USER_DEACTIVATED = "user:deactivated"
    USER_ACTIVATED = "user:activated"
    PASSWORD_RESET = "user:password:reset"  # noqa: S105 - an audit action name
    PASSWORD_CHANGED = "user:password:changed"  # noqa: S105 - an audit action name
    CASE_MEMBER_ADDED = "case:member:added"
    CASE_MEMBER_REMOVED = "case:member:removed"
    EVENT_DATA_VIEWED = "audit:data:viewed"
    CHAIN_VERIFIED = "audit:chain:verified"
    KEY_ROTATED = "keys:rotated"
    DATA_RESEALED = "keys:resealed"

    @property
    def label(self) -> str:
        return self.value.replace(":", " ").replace("_", " ")
