"""Delivering BPMN messages to the pathways that wait for them."""

from __future__ import annotations

from typing import Any

from engine.facade.core import EngineCore
from engine.messages import commands as message_commands


class MessagesFacade(EngineCore):
    def send_message(
        self,
        name: str,
        *,
        actor: str,
        case_ref: str | None = None,
        keys: dict[str, str] | None = None,
        data: dict[str, Any] | None = None,
    ) -> message_commands.Sent:
        return self.run(
            message_commands.send_message,
            actor=actor,
            name=name,
            case_ref=case_ref,
            keys=keys,
            data=data,
        )
