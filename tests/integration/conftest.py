"""Fixtures the integration tests share."""

from __future__ import annotations

import pytest

from tests.integration.helpers import deploy_pathway, only_task
from tests.support.three_steps import deploy_three_steps


@pytest.fixture
def presumed(engine, tmp_path, people):
    """An intake whose screening presumed a victim: it now waits on the 30-day reflection timer."""
    deploy_pathway(engine, tmp_path / "wf")
    started = engine.start("intake", actor=people["responder"])
    task = only_task(engine, people["responder"])
    engine.complete_task(
        task.id, actor=people["responder"], answers={"name": "Lan", "presumed": True}
    )
    return started


@pytest.fixture
def deployed(engine, people):
    """The shipped pathways deployed, and one user per role named after it (as scenarios use)."""
    engine.deploy(actor="system")
    for role in engine.roles(actor="system"):
        if not engine.user_exists(role):
            engine.add_user(role, roles=[role])
    return engine


@pytest.fixture
def three(engine, tmp_path, people):
    """The three-step pathway deployed (tests/support/three_steps.py)."""
    deploy_three_steps(engine, tmp_path / "three")
    return engine
