"""Schemathesis drives every operation of ``/api/v1/openapi.json`` with generated requests,
signed in with a bearer token: no request may produce a server error."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.support.web import ADULT_SCREENING


@pytest.fixture
def api_schema(app, web_engine):
    started = web_engine.start("identification", actor="first_responder")
    screening = web_engine.tasks_for("first_responder", case_ref=started.case_ref)[0]
    web_engine.complete_task(screening.id, actor="first_responder", answers=ADULT_SCREENING)
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def test_no_generated_request_is_a_server_error(api_schema, web_engine):
    headers = {"Authorization": f"Bearer {web_engine.create_token('caseworker', name='fuzz')}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 6  # tasks, task, claim, complete, start a case, case status

    for operation in operations:

        @settings(
            max_examples=30,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def call(case):
            response = case.call(headers=headers)
            assert response.status_code < 500, (case.method, case.formatted_path, response.text)
            kind = {k.lower(): v for k, v in response.headers.items()}["content-type"]
            assert "application/json" in str(kind)  # errors too: a stable code, never HTML

        call()
