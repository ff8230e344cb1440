"""Inbox paging by sort key: every task exactly once, soonest due first, undated last."""

from __future__ import annotations

from datetime import timedelta

from engine.tasks.inbox import InboxFilters
from tests.support import bpmn as b

FORM = {"type": "object", "properties": {"note": {"type": "string"}}}


def _deploy_and_start(engine, tmp_path, people, dues=(5, 3, 9, 3, 1, 7, 2, 8, 4, 6, 3, 5)):
    dated = b.process(
        "dated",
        b.start("ds"),
        b.user_task("d_task", "Dated", "f.json"),
        b.boundary_timer("d_due", "d_task", 'f"P{days}D"'),
        b.end("de"),
        *b.chain("ds", "d_task", "de"),
        lanes={"Caseworker": ["ds", "d_task", "de"]},
    )
    undated = b.process(
        "undated",
        b.start("us"),
        b.user_task("u_task", "Undated", "f.json"),
        b.end("ue"),
        *b.chain("us", "u_task", "ue"),
        lanes={"Caseworker": ["us", "u_task", "ue"]},
    )
    engine.deploy(
        [b.write(tmp_path / "i", "inbox.bpmn", b.definitions(dated, undated), {"f.json": FORM})],
        actor="system",
    )
    for days in dues:
        engine.start("dated", actor=people["caseworker"], data={"days": days})
    for _ in range(7):
        engine.start("undated", actor=people["caseworker"])


def test_paging_through_dated_and_undated_tasks(engine, tmp_path, people, clock):
    _deploy_and_start(engine, tmp_path, people)

    seen, cursor = [], None
    while True:
        page = engine.inbox(people["caseworker"], tab="roles", cursor=cursor)
        seen.extend(page.rows)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == 19 and len({r.id for r in seen}) == 19
    dues = [r.due_at for r in seen if r.due_at]
    assert dues == sorted(dues) and len(dues) == 12
    assert all(r.due_at is None for r in seen[12:])
    assert page.counts == {"assigned": 0, "roles": 19, "overdue": 0}

    from engine.tasks import inbox
    from engine.users.actors import resolve_actor

    with engine.read() as session:
        actor = resolve_actor(session, people["caseworker"])
        small, cursor = [], None
        while True:
            page = inbox.inbox_page(session, actor, clock.now(), cursor=cursor, page_size=4)
            small.extend(page.rows)
            cursor = page.next_cursor
            if cursor is None:
                break
    assert [r.id for r in small] == [r.id for r in seen]

    clock.advance(timedelta(days=3, hours=1))
    overdue = engine.inbox(people["caseworker"], tab="overdue")
    assert len(overdue.rows) == 5  # due in 1, 2, 3, 3, 3 days
    filtered = engine.inbox(
        people["caseworker"], tab="roles", filters=InboxFilters(process_key="undated")
    )
    assert len(filtered.rows) == 7


def test_overdue_merges_my_claimed_and_my_roles_tasks_in_due_order(engine, tmp_path, people, clock):
    _deploy_and_start(engine, tmp_path, people)
    mine = engine.tasks_for(people["caseworker"])
    claimed = sorted((t for t in mine if t.due_at), key=lambda t: t.due_at)[1]
    engine.claim(claimed.id, actor=people["caseworker"])
    clock.advance(days=4, hours=1)  # the tasks due in 1-4 days are late: 1, 2, 3, 3, 3, 4
    page = engine.inbox(people["caseworker"], tab="overdue", page_size=4)
    second = engine.inbox(people["caseworker"], tab="overdue", cursor=page.next_cursor)
    rows = page.rows + second.rows
    assert len(rows) == 6 and second.next_cursor is None
    assert [r.due_at for r in rows] == sorted(r.due_at for r in rows)
    assert claimed.id in {r.id for r in rows}  # assigned to me and late: in the tab too
    assert page.counts["overdue"] == 6


def test_counts_stop_at_the_cap(engine, tmp_path, people, monkeypatch):
    from engine.tasks import inbox

    monkeypatch.setattr(inbox, "COUNT_CAP", 5)
    _deploy_and_start(engine, tmp_path, people)
    counts = engine.inbox(people["caseworker"], tab="roles").counts
    assert counts["roles"] == 6  # "5+": counting stops one past the cap
