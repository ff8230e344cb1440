"""What every engine command needs besides its session: keys, time, parsed specs."""

from __future__ import annotations

from dataclasses import dataclass

from engine.clock import Clock
from engine.crypto.keyring import Keyring
from engine.definitions.specs import SpecLibrary
from engine.instances.cache import WorkflowCache
from engine.timers.calendar import BusinessCalendar


@dataclass(frozen=True)
class Services:
    keyring: Keyring
    clock: Clock
    specs: SpecLibrary
    calendar: BusinessCalendar
    workflows: WorkflowCache
