"""The element tests drive every kind of BPMN element SpiffWorkflow runs for us: each save
they make is checked against the state converted afresh."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _every_save_checked(checked_saves):
    return checked_saves
