"""Arbitrary JSON against every shipped form: a 4xx with field errors, or success; never a 5xx,
and a refusal changes nothing.

Each form in ``forms/`` gets a one-task pathway so its task can be completed through the API.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.config import PROJECT_ROOT
from tests.support import bpmn as b
from tests.support.web import PASSWORD

FORMS = sorted(p.name for p in (PROJECT_ROOT / "forms").glob("*.json"))
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
)
ANY_JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def _pathway(index: int, form: str) -> str:
    ids = (f"s{index}", f"t{index}", f"e{index}")
    return b.process(
        f"form_{index}",
        b.start(ids[0]),
        b.user_task(ids[1], f"Fill {form}", form),
        b.end(ids[2]),
        *b.chain(*ids),
        lanes={"Caseworker": list(ids)},
    )


@pytest.fixture
def fuzz_api(engine, app, tmp_path):
    engine.add_user("fuzzer", roles=["caseworker"], password=PASSWORD)
    text = b.definitions(*(_pathway(i, form) for i, form in enumerate(FORMS)))
    engine.deploy([b.write(tmp_path / "wf", "every_form.bpmn", text)], actor="system")
    headers = {"Authorization": f"Bearer {engine.create_token('fuzzer')}"}
    return app.test_client(), headers


def _properties(form: str) -> list[str]:
    schema = json.loads((PROJECT_ROOT / "forms" / form).read_text())
    return sorted(schema.get("properties", {}))


def _instance_version(engine, instance_id: int) -> int:
    with engine.db.sa_engine.connect() as connection:
        return connection.execute(
            sa.text("SELECT version FROM process_instance WHERE id = :id"), {"id": instance_id}
        ).scalar_one()


def test_arbitrary_answers_never_break_a_form(engine, fuzz_api):
    client, headers = fuzz_api
    shaped = {
        form: st.fixed_dictionaries({}, optional=dict.fromkeys(_properties(form), ANY_JSON))
        for form in FORMS
    }
    open_tasks: dict[int, tuple[str, int]] = {}

    def task_for(index: int) -> tuple[str, int]:
        if index not in open_tasks:
            started = client.post(
                "/api/v1/cases", json={"process_key": f"form_{index}"}, headers=headers
            )
            assert started.status_code == 201, started.json
            [task] = [
                t
                for t in client.get("/api/v1/tasks", headers=headers).json["tasks"]
                if t["case_ref"] == started.json["case_ref"]
            ]
            open_tasks[index] = (task["id"], started.json["instance_id"])
        return open_tasks[index]

    @settings(
        max_examples=4 * len(FORMS),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def submit(data):
        index = data.draw(st.integers(min_value=0, max_value=len(FORMS) - 1), label="form")
        answers = data.draw(shaped[FORMS[index]] | ANY_JSON, label=FORMS[index])
        task_id, instance_id = task_for(index)
        before = _instance_version(engine, instance_id)
        response = client.post(
            f"/api/v1/tasks/{task_id}/complete", json={"answers": answers}, headers=headers
        )
        assert response.status_code < 500, response.json
        if response.status_code == 200:
            del open_tasks[index]  # done: the next example for this form opens a new case
            return
        assert 400 <= response.status_code < 500
        if "\\u0000" in json.dumps(answers):  # NUL is refused before any form sees it
            assert response.status_code == 400, response.json
        elif isinstance(answers, dict):
            assert response.status_code == 422
            assert response.json["code"] == "validation_failed" and response.json["errors"]
        assert _instance_version(engine, instance_id) == before  # a refusal changes nothing

    submit()
