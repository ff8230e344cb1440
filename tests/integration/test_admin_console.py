"""The administrator's engine operations: instance maps, audit search, data opening, timers, people.

Each oversight read is itself audited; each change needs a reason and leaves nothing half-done.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.audit.search import AuditFilters, safe_cell
from engine.errors import InvalidRequest, NotFound, PermissionDenied
from tests.integration.helpers import (
    drop_audit_triggers,
    execute_sql,
)
from tests.support.web import PASSWORD


def _actions(engine, instance_id):
    return [e.action for e in engine.history(instance_id, actor="admin")]


def test_the_instance_map_names_the_exact_version_and_the_progress(engine, presumed, people):
    found = engine.instance_map(presumed.instance_id, actor=people["admin"])
    root = found.processes[0]
    assert (root.process_key, root.version) == ("intake", 1)
    assert 'id="reflection"' in root.source  # the BPMN text of that version, for the viewer
    assert {"start", "screen", "presumed_gw"} <= set(root.completed)
    assert root.active == ["reflection"]
    assert [t.bpmn_id for t in found.timers] == ["reflection"]
    assert found.tasks == []
    assert _actions(engine, presumed.instance_id)[-1] == "case:viewed"


def test_only_administrators_see_instance_maps(engine, presumed, people):
    with pytest.raises(PermissionDenied):
        engine.instance_map(presumed.instance_id, actor=people["caseworker"])
    with pytest.raises(NotFound):
        engine.instance_map(999_999, actor=people["admin"])


def test_opening_the_data_of_a_step_is_audited(engine, presumed, people):
    completed = next(
        e
        for e in engine.history(presumed.instance_id, actor="admin")
        if e.action == "instance:task:completed"
    )
    assert completed.has_payload
    entry, data = engine.event_data(completed.seq, actor=people["admin"])
    assert entry.seq == completed.seq
    assert data["answers"]["name"] == "Lan"
    opened = engine.audit_search(AuditFilters(action="audit:data:viewed"), actor=people["admin"])[0]
    assert [(e.actor, e.detail["seq"]) for e in opened] == [(people["admin"], completed.seq)]
    with pytest.raises(PermissionDenied):
        engine.event_data(completed.seq, actor=people["coordinator"])


def test_moving_a_timer_extends_the_reflection_period(engine, presumed, people, clock):
    old_due = engine.timers(actor="admin")[0].due_at
    new_due = old_due + timedelta(days=30)
    engine.move_timer(
        engine.timers(actor="admin")[0].id,
        actor=people["admin"],
        due_at=new_due,
        reason="extension granted",
    )
    assert [t.due_at for t in engine.timers(actor="admin")] == [new_due]
    clock.set(old_due + timedelta(hours=1))
    assert engine.fire_due_timers() == []  # the old date no longer fires
    clock.set(new_due)
    assert [f.bpmn_id for f in engine.fire_due_timers()] == ["reflection"]
    moved = next(
        e
        for e in engine.history(presumed.instance_id, actor="admin")
        if e.action == "instance:timer:moved"
    )
    assert moved.actor == people["admin"]
    assert moved.detail["reason"] == "extension granted"
    assert moved.detail["from"] == old_due.isoformat()
    assert moved.detail["to"] == new_due.isoformat()


@pytest.mark.parametrize(
    "refused",
    [
        ("caseworker", 10, "why", PermissionDenied),
        ("admin", 10, "  ", InvalidRequest),
        ("admin", -1, "why", InvalidRequest),
    ],
)
def test_a_refused_timer_move_changes_nothing(engine, presumed, people, clock, refused):
    who, days, reason, error = refused
    timer = engine.timers(actor="admin")[0]
    before = _actions(engine, presumed.instance_id)
    with pytest.raises(error):
        engine.move_timer(
            timer.id, actor=people[who], due_at=clock.now() + timedelta(days=days), reason=reason
        )
    assert engine.timers(actor="admin")[0].due_at == timer.due_at
    assert _actions(engine, presumed.instance_id) == before


def test_audit_search_filters_and_pages_newest_first(engine, presumed, people):
    everything, _ = engine.audit_search(AuditFilters(), actor=people["admin"], before_seq=None)
    assert [e.seq for e in everything] == sorted((e.seq for e in everything), reverse=True)
    by_actor, _ = engine.audit_search(
        AuditFilters(actor=people["responder"]), actor=people["admin"]
    )
    assert by_actor and {e.actor for e in by_actor} == {people["responder"]}
    case, _ = engine.audit_search(
        AuditFilters(case_ref=presumed.case_ref.lower()), actor=people["admin"]
    )
    assert case and {e.case_ref for e in case} == {presumed.case_ref}

    pages, cursor, seen = 0, None, []
    while True:
        page, cursor = _page_of_three(engine, cursor)
        seen += [e.seq for e in page]
        pages += 1
        if cursor is None:
            break
    assert seen == [e.seq for e in everything] and pages > 1
    with pytest.raises(PermissionDenied):
        engine.audit_search(AuditFilters(), actor=people["coordinator"])


def _page_of_three(engine, cursor):
    from engine.audit import search

    with engine.read() as session:
        return search.search(session, AuditFilters(), before_seq=cursor, limit=3)


def test_the_csv_export_is_audited_and_formula_safe(engine, presumed, people):
    text = "".join(engine.audit_csv(AuditFilters(), actor=people["admin"]))
    lines = text.splitlines()
    assert lines[0].startswith("seq,occurred_at,actor,action,case_ref")
    assert any(presumed.case_ref in line for line in lines[1:])
    exported = engine.audit_search(AuditFilters(action="audit:data:viewed"), actor=people["admin"])
    assert [e.detail["export"] for e in exported[0]] == ["csv"]
    for hostile in ('=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"):
        assert safe_cell(hostile) == "'" + hostile
    assert safe_cell("plain") == "plain" and safe_cell(None) == ""


def test_the_chain_check_is_recorded_and_names_a_break(engine, presumed, people):
    assert engine.last_verification(actor=people["admin"]) is None
    assert engine.verify_and_record(actor=people["admin"]).ok
    _, report = engine.last_verification(actor=people["admin"])
    assert report["ok"] and report["last_seq"] >= 5
    execute_sql(
        engine,
        *drop_audit_triggers(engine),
        "UPDATE audit_event SET actor = 'nobody' WHERE seq = 3",
    )
    assert not engine.verify_and_record(actor=people["admin"]).ok
    _, report = engine.last_verification(actor=people["admin"])
    assert (report["ok"], report["broken_seq"]) == (False, 3)
    assert "edited" in report["reason"]


def test_instances_are_listed_by_case_and_status(engine, presumed, people):
    found = engine.instances(actor=people["admin"], case_ref=presumed.case_ref)
    assert [(i.id, i.status) for i in found] == [(presumed.instance_id, "running")]
    assert engine.instances(actor=people["admin"], status="completed") == []
    with pytest.raises(PermissionDenied):
        engine.instances(actor=people["caseworker"])


# -- people ---------------------------------------------------------------------------------


def test_roles_are_replaced_and_audited(engine, people):
    engine.set_roles("caseworker", ["caseworker", "Return officer"], actor=people["admin"])
    user = next(u for u in engine.users(actor=people["admin"]) if u.username == "caseworker")
    assert user.roles == ["caseworker", "return_officer"]
    changed = engine.audit_search(AuditFilters(action="user:roles:changed"), actor=people["admin"])
    assert changed[0][0].detail["after"] == ["caseworker", "return_officer"]
    with pytest.raises(InvalidRequest, match="your own administrator role"):
        engine.set_roles("admin", ["caseworker"], actor=people["admin"])
    with pytest.raises(PermissionDenied):
        engine.set_roles("caseworker", ["admin"], actor=people["caseworker"])


def test_deactivation_ends_every_session_at_once(engine, people):
    engine.reset_password("caseworker", PASSWORD, actor=people["admin"])
    signed = engine.sign_in("caseworker", PASSWORD)
    assert engine.session_actor(signed.session_secret).actor is not None
    engine.set_active("caseworker", False, actor=people["admin"])
    assert engine.session_actor(signed.session_secret).actor is None
    assert not engine.authenticate("caseworker", PASSWORD).ok
    with pytest.raises(InvalidRequest):
        engine.set_active("admin", False, actor=people["admin"])


def test_a_reset_password_must_be_changed(engine, people):
    engine.reset_password("caseworker", "temporary password 1", actor=people["admin"])
    signed = engine.sign_in("caseworker", "temporary password 1")
    assert engine.session_actor(signed.session_secret).actor.must_change_password
    with pytest.raises(InvalidRequest, match="current password"):
        engine.change_password(actor="caseworker", current="wrong", new="my own passphrase")
    with pytest.raises(InvalidRequest, match="different"):
        engine.change_password(
            actor="caseworker", current="temporary password 1", new="temporary password 1"
        )
    fresh = engine.change_own_password(
        actor="caseworker", current="temporary password 1", new="my own passphrase"
    )
    assert engine.session_actor(signed.session_secret).actor is None  # ended with the old password
    assert not engine.session_actor(fresh).actor.must_change_password
    with pytest.raises(InvalidRequest, match="at least"):
        engine.reset_password("caseworker", "short", actor=people["admin"])


def test_case_team_membership_grants_and_removes_need_to_know(engine, presumed, people):
    with pytest.raises(NotFound):  # need-to-know: a case one may not see does not exist
        engine.view_case(presumed.case_ref, actor=people["outsider"])
    with pytest.raises(InvalidRequest, match="reason"):
        engine.add_case_member(presumed.case_ref, "outsider", actor=people["admin"], reason=" ")
    engine.add_case_member(
        presumed.case_ref, "outsider", actor=people["admin"], reason="legal aid appointed"
    )
    assert engine.view_case(presumed.case_ref, actor=people["outsider"]).ref == presumed.case_ref
    user = next(u for u in engine.users(actor=people["admin"]) if u.username == "outsider")
    assert user.cases == [presumed.case_ref]
    engine.remove_case_member(presumed.case_ref, "outsider", actor=people["admin"])
    with pytest.raises(NotFound):
        engine.view_case(presumed.case_ref, actor=people["outsider"])
