"""Need-to-know holds through every door: starting pathways, tasks by id, supervisors.

The attack these tests replay: a first responder with no relation to a case
started a pathway on its reference, which then counted as a relation and
opened the case, its referral summary and a task that changed its facts.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from lxml import etree

from engine.cases import access as case_access
from engine.config import PROJECT_ROOT
from engine.errors import ConflictError, NotFound, PermissionDenied
from engine.instances.models import ProtectionCase
from engine.tasks import access as task_access
from engine.tasks.models import HumanTask
from engine.users.actors import Actor
from tests.conftest import ROLES
from tests.support.cli import run_pathways
from tests.support.web import ADULT_SCREENING, PASSWORD

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


@pytest.fixture
def case(web_engine):
    """A presumed adult victim's case: screened by first_responder, consent open for caseworker."""
    started = web_engine.start("identification", actor="first_responder")
    screening = web_engine.tasks_for("first_responder", case_ref=started.case_ref)[0]
    web_engine.complete_task(screening.id, actor="first_responder", answers=ADULT_SCREENING)
    web_engine.add_user("intruder", roles=["first_responder"], password="x" * 12)
    return started.case_ref


def _api(web_engine, who: str):
    from webapp.app import create_app

    client = create_app(web_engine).test_client()
    token = web_engine.create_token(who, name="test")
    return client, {"Authorization": f"Bearer {token}"}


def _count(web_engine, sql: str, **params) -> int:
    with web_engine.db.sa_engine.connect() as c:
        return c.execute(sa.text(sql), params).scalar()


def _refusals(web_engine, actor: str) -> list[str]:
    with web_engine.db.sa_engine.connect() as c:
        rows = c.execute(
            sa.text(
                "SELECT detail_json FROM audit_event"
                " WHERE action = 'case:access:refused' AND actor = :a ORDER BY seq"
            ),
            {"a": actor},
        ).scalars()
        return list(rows)


def test_starting_on_someone_elses_case_is_refused_and_opens_nothing(web_engine, case):
    client, auth = _api(web_engine, "intruder")
    instances = _count(web_engine, "SELECT count(*) FROM process_instance")
    assert client.get(f"/api/v1/cases/{case}", headers=auth).status_code == 404
    for key in ("identification", "verification"):
        response = client.post(
            "/api/v1/cases", json={"process_key": key, "case_ref": case}, headers=auth
        )
        assert response.status_code in (403, 404), (key, response.json)
    # Nothing started, so nothing counts as a relation afterwards.
    assert _count(web_engine, "SELECT count(*) FROM process_instance") == instances
    assert client.get(f"/api/v1/cases/{case}", headers=auth).status_code == 404
    with pytest.raises(NotFound):
        web_engine.view_case(case, actor="intruder")
    with pytest.raises(NotFound):
        web_engine.referral_summary(
            case, actor="intruder", recipient="shelter", organisation="x", reason="y"
        )
    assert web_engine.tasks_for("intruder", case_ref=case) == []
    # Each look was recorded, with what was asked for.
    refused = _refusals(web_engine, "intruder")
    assert any("start pathway" in r for r in refused)
    assert any("case page" in r for r in refused)
    assert any("referral summary" in r for r in refused)


def test_the_command_line_start_on_a_case_checks_access_too(web_engine, case, cli_env):
    refused = run_pathways(cli_env, "start", "identification", "--as", "intruder", "--case", case)
    assert refused.returncode == 4, refused.stderr
    assert f"no case {case}" in refused.stderr
    # Someone the case belongs to may add a pathway to it.
    joined = run_pathways(
        cli_env, "start", "identification", "--as", "first_responder", "--case", case
    )
    assert joined.returncode == 0, joined.stderr


def test_a_starter_role_without_the_case_is_refused_a_team_member_is_not(web_engine, case):
    web_engine.add_user("ro", roles=["return_officer"], password="x" * 12)
    with pytest.raises(NotFound):
        web_engine.start("return_reintegration", actor="ro", case_ref=case)
    web_engine.add_case_member(case, "ro", actor="admin", reason="referred for return")
    started = web_engine.start("return_reintegration", actor="ro", case_ref=case)
    assert started.case_ref == case


def test_case_ref_of_the_wrong_type_is_a_plain_400(web_engine):
    client, auth = _api(web_engine, "first_responder")
    for bad in (123, ["PP-2026-000001"], {"x": 1}, "PP-2026-1"):
        response = client.post(
            "/api/v1/cases", json={"process_key": "identification", "case_ref": bad}, headers=auth
        )
        assert response.status_code == 400, (bad, response.status_code)
        assert response.json["code"] == "invalid_request"


def _start_lane_roles() -> dict[str, frozenset[str]]:
    """From the shipped diagrams themselves: the lane holding each process's start event."""
    found = {}
    for path in sorted((PROJECT_ROOT / "workflows").glob("*.bpmn")):
        tree = etree.parse(str(Path(path)))
        for process in tree.iter(f"{BPMN}process"):
            starts = {s.get("id") for s in process.findall(f"{BPMN}startEvent")}
            roles = {
                re.sub(r"[\s_\-]+", "_", lane.get("name").strip().lower())
                for lane in process.iter(f"{BPMN}lane")
                if starts & {r.text for r in lane.findall(f"{BPMN}flowNodeRef")}
            }
            found[process.get("id")] = frozenset(roles)
    return found


def test_every_deployed_process_started_as_every_role(web_engine):
    """Starting needs a role of the start event's lane (or administrator); nothing else opens."""
    expected = _start_lane_roles()
    deployed = {
        d["process_key"] for d in web_engine.definitions(actor="system") if d["kind"] == "bpmn"
    }
    assert deployed == set(expected), "a shipped process was not deployed"
    outcomes = []
    for role in ROLES:
        client, auth = _api(web_engine, role)
        for key in sorted(deployed):
            response = client.post("/api/v1/cases", json={"process_key": key}, headers=auth)
            allowed = role == "admin" or role in expected[key]
            outcomes.append((role, key, response.status_code))
            assert response.status_code == (201 if allowed else 403), outcomes[-1]
    assert sum(1 for *_, status in outcomes if status == 201) > len(deployed)


def test_the_web_screening_button_and_route_follow_the_start_lane(signed_in):
    responder = signed_in("first_responder")
    assert "New screening" in responder.get("/").text
    caseworker = signed_in("caseworker")
    page = caseworker.get("/").text
    assert "New screening" not in page
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page).group(1)
    assert caseworker.post("/cases", data={"csrf_token": token}).status_code == 403


def test_a_supervisor_cannot_reassign_or_take_back_on_a_case_they_may_not_open(web_engine, case):
    consent = web_engine.tasks_for("caseworker", case_ref=case)[0]
    web_engine.add_user("cw2", roles=["caseworker"], password="x" * 12)
    web_engine.claim(consent.id, actor="caseworker")
    with pytest.raises(NotFound):
        web_engine.reassign(consent.id, actor="supervisor", to_user="cw2", reason="leave")
    with pytest.raises(NotFound):
        web_engine.unclaim(consent.id, actor="supervisor")
    web_engine.add_case_member(case, "supervisor", actor="admin", reason="team lead")
    moved = web_engine.reassign(consent.id, actor="supervisor", to_user="cw2", reason="leave")
    assert moved.assignee == "cw2"
    with pytest.raises(PermissionDenied):
        web_engine.reassign(consent.id, actor="caseworker", to_user="cw2", reason="x")


def test_a_completed_task_is_read_only_by_who_did_it_and_administrators(web_engine, case):
    web_engine.add_user("fr2", roles=["first_responder"], password="x" * 12)
    with web_engine.db.sa_engine.connect() as c:
        screening_id = c.execute(
            sa.text("SELECT id FROM human_task WHERE bpmn_id = 'first_contact_screening'")
        ).scalar()
    assert web_engine.task_details(screening_id, actor="first_responder").task.id == screening_id
    assert web_engine.task_details(screening_id, actor="admin").task.id == screening_id
    # Holding the role is no longer enough: told it was done (by whom), shown no answers.
    with pytest.raises(ConflictError, match="already completed by first_responder"):
        web_engine.task_details(screening_id, actor="fr2")
    with pytest.raises(NotFound):
        web_engine.task_details(screening_id, actor="caseworker")
    client, auth = _api(web_engine, "fr2")
    for response in (
        client.get(f"/api/v1/tasks/{screening_id}", headers=auth),
        client.post(f"/api/v1/tasks/{screening_id}/complete", json={"answers": {}}, headers=auth),
    ):
        assert response.status_code == 409
        assert set(response.json) == {"code", "message"}, response.json
    client, auth = _api(web_engine, "caseworker")
    assert client.get(f"/api/v1/tasks/{screening_id}", headers=auth).status_code == 404


def _actors() -> list[Actor]:
    names = ["first_responder", "caseworker", "supervisor", "someone"]
    role_sets = [frozenset(), frozenset({"caseworker"}), frozenset({"first_responder"})]
    people = [Actor(n, r) for n, r in itertools.product(names, role_sets)]
    return [*people, Actor("admin", frozenset({"admin"}))]


def test_each_rule_s_sql_clause_and_python_check_agree(web_engine, case):
    """The clause lists filter by and the check single lookups use must never drift apart."""
    web_engine.add_case_member(case, "supervisor", actor="admin", reason="team lead")
    with web_engine.db.read() as session:
        cases = session.scalars(sa.select(ProtectionCase)).all()
        tasks = session.scalars(sa.select(HumanTask)).all()
        for actor in _actors():
            listed = set(
                session.scalars(
                    sa.select(ProtectionCase.id).where(case_access.visible_cases(actor))
                )
            )
            assert listed == {c.id for c in cases if case_access.may_open(session, actor, c)}
            listed = set(
                session.scalars(sa.select(HumanTask.id).where(task_access.visible_tasks(actor)))
            )
            assert listed == {t.id for t in tasks if task_access.may_see(actor, t)}, actor
        assert {t.state for t in tasks} >= {"READY", "COMPLETED"}


def test_a_refused_look_at_a_case_shows_in_that_case_s_audit_search(web_engine, case, signed_in):
    from engine.audit.search import AuditFilters

    web_engine.add_user("outsider", roles=["first_responder"], password=PASSWORD)
    intruder = signed_in("outsider")
    assert intruder.get(f"/cases/{case}").status_code == 404
    assert intruder.get(f"/cases/{case.lower()}").status_code == 404  # the same case, typed
    entries, _ = web_engine.audit_search(AuditFilters(case_ref=case), actor="admin")
    refused = [e for e in entries if e.action == "case:access:refused"]
    assert [e.actor for e in refused] == ["outsider", "outsider"]


def test_case_references_are_found_however_they_are_typed(web_engine, case, signed_in):
    typed = f"  {case.lower()} "
    assert web_engine.tasks_for("caseworker", case_ref=typed)  # the consent task
    page = signed_in("first_responder").get(f"/cases/{case.lower()}")
    assert page.status_code == 200 and case in page.text
