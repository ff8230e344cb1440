"""What a task completion costs the database, counted: a budget of statements, one write.

Exact counts, not times (those are in bench/statements.py): a change that adds a query to
the hot path fails here with the statements listed.
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from engine.audit import chain, trail
from engine.audit.actions import AuditAction
from engine.audit.search import AuditFilters
from engine.instances import store
from engine.instances.facts import WRITE_FACTS, load_facts, save_facts
from engine.instances.models import CaseFactsRow, ProcessInstance
from tests.conftest import ON_POSTGRES
from tests.support.statements import counting

# Read the task with the person completing it (roles joined), its instance, state, case and
# facts and whether it has drafts (one statement; on SQLite, whose write transaction holds
# the one write lock from its start, the audit head's place too); write the task, the state
# and the instance (version check); the open tasks' and timers' rows are known from the
# worker's cache (the second completion on), so only a newly opened task is written (one
# INSERT); insert the events (one multi-row INSERT), move the head. Drafts are deleted only
# when there are some, the facts' version checked only by a step handed them. 6, and 7 with a
# next task. PostgreSQL writes the task, the state and the instance and locks the head in one
# statement, and inserts the events and moves the head in another: 3, and 4 with a next task.
BUDGET = {"sqlite": 7, "postgresql": 4}


def test_each_completion_is_one_write_within_the_budget(three, people):
    started = three.start("three_steps", actor=people["caseworker"])
    assert started.next_task_ids == [
        t.id for t in three.tasks_for(people["caseworker"], case_ref=started.case_ref)
    ]
    for step in range(3):
        task = three.tasks_for(people["caseworker"], case_ref=started.case_ref)[0]
        with counting(three.db) as counted:
            done = three.complete_task(task.id, actor=people["caseworker"], answers={"note": "x"})
        assert counted.write_transactions == 1
        assert len(counted.sql) <= BUDGET[three.db.dialect], "\n".join(counted.sql)
        # What opens next is known from the projection just written, not read back.
        assert done.next_task_ids == [
            t.id for t in three.tasks_for(people["caseworker"], case_ref=started.case_ref)
        ]
        assert done.instance_status == ("completed" if step == 2 else "running")
    # The last completion appended two events (the task, the instance's end) in one statement
    # or two, and moved the head once: the chain still verifies end to end.
    report = three.check_audit(actor=people["admin"])
    assert report.ok, report.reason
    events, _ = three.audit_search(AuditFilters(case_ref=started.case_ref), actor=people["admin"])
    actions = [e.action for e in events]
    assert actions.count("instance:task:completed") == 3
    assert "instance:completed" in actions
    assert report.last_seq == max(e.seq for e in events)


# Starting on a new case: who starts (roles joined), the pathway's latest version; the case's
# number (one UPDATE ... RETURNING), the case and its facts' row (kept, never read back); the
# audit head; the instance, its version-checked first save, its state and its first task;
# the events and the head's move (one statement on PostgreSQL). No task is read back to see
# whether it is marked for its starter: the workflow in memory says.
START_BUDGET = {"sqlite": 12, "postgresql": 11}


def test_a_start_on_a_new_case_is_one_write_within_its_budget(three, people):
    three.start("three_steps", actor=people["caseworker"])  # the year's counter exists
    with counting(three.db) as counted:
        started = three.start("three_steps", actor=people["caseworker"])
    assert counted.write_transactions == 1
    assert len(counted.sql) <= START_BUDGET[three.db.dialect], "\n".join(counted.sql)
    assert started.case_ref == "PP-2026-000002"
    assert started.next_task_ids == [
        t.id for t in three.tasks_for(people["caseworker"], case_ref=started.case_ref)
    ]
    report = three.check_audit(actor=people["admin"])
    assert report.ok, report.reason
    events, _ = three.audit_search(AuditFilters(case_ref=started.case_ref), actor=people["admin"])
    assert sorted(e.action for e in events) == ["case:created", "instance:started"]


def test_no_command_on_a_task_reads_a_row_twice(three, people):
    """The session's identity map is weak: a row one step of a command read and let go is
    read again by the next step that asks for it by key. Every command of a task's life,
    opening its page, and an administrator's suspend and resume read each row once."""
    cw, admin = people["caseworker"], people["admin"]
    with counting(three.db) as counted:
        started = three.start("three_steps", actor=cw)
    assert counted.read_again == [], "\n".join(counted.read_again)
    task_id = started.next_task_ids[0]
    commands = {
        "start on the case": lambda: three.start(
            "three_steps", actor=cw, case_ref=started.case_ref
        ),
        "claim": lambda: three.claim(task_id, actor=cw),
        "open the page": lambda: three.task_details(task_id, actor=cw),
        "open the form": lambda: three.task_form(task_id, actor=cw),
        "keep a draft": lambda: three.save_draft(task_id, actor=cw, answers={"note": "half"}),
        "unclaim": lambda: three.unclaim(task_id, actor=cw),
        # An instance loaded by its id, not through a task read, and saved.
        "suspend": lambda: three.suspend(started.instance_id, actor=admin, reason="check"),
        "resume": lambda: three.resume(started.instance_id, actor=admin, reason="checked"),
        "complete": lambda: three.complete_task(task_id, actor=cw, answers={"note": "x"}),
    }
    for name, command in commands.items():
        with counting(three.db) as counted:
            command()
        assert counted.read_again == [], f"{name}:\n" + "\n".join(counted.read_again)


def test_a_completion_s_statements_come_compiled_from_the_cache(three, people):
    """Once a first instance has run, no statement of a completion is compiled again: one
    that SQLAlchemy cannot cache (a multi-row ``VALUES``, for one) is compiled at every
    execution, which cost more than the round trip it was built to save."""
    for run in range(2):
        started = three.start("three_steps", actor=people["caseworker"])
        for _ in range(3):
            task = three.tasks_for(people["caseworker"], case_ref=started.case_ref)[0]
            with counting(three.db) as counted:
                three.complete_task(task.id, actor=people["caseworker"], answers={"note": "x"})
            if run == 1:
                assert counted.compiled == [], "\n".join(counted.compiled)


def test_several_commands_each_move_the_head_to_their_own_last_event(three, people):
    """Appends in one transaction chain onto each other before the head is written."""
    for _ in range(3):
        started = three.start("three_steps", actor=people["caseworker"])
        task = three.tasks_for(people["caseworker"], case_ref=started.case_ref)[0]
        three.complete_task(task.id, actor=people["caseworker"], answers={"note": "y"})
    report = three.check_audit(actor=people["admin"])
    assert report.ok and report.checked == report.last_seq


def test_a_refused_completion_writes_nothing(three, people):
    started = three.start("three_steps", actor=people["caseworker"])
    task = three.tasks_for(people["caseworker"], case_ref=started.case_ref)[0]
    before = three.check_audit(actor=people["admin"]).last_seq
    with counting(three.db) as counted, pytest.raises(Exception, match="problem"):
        three.complete_task(task.id, actor=people["caseworker"], answers={"note": ""})
    assert counted.write_transactions == 1  # begun, rolled back
    assert not [s for s in counted.sql if s.startswith(("INSERT", "UPDATE", "DELETE"))]
    assert three.check_audit(actor=people["admin"]).last_seq == before


def test_facts_are_checked_for_staleness_only_when_the_step_was_handed_them(three, people):
    """A step that evaluated nothing cannot have depended on the case's facts; one that was
    handed them (a guard, a condition, a script) still refuses to commit on stale ones."""
    started = three.start("three_steps", actor=people["caseworker"])
    with three.db.write() as session:
        case_id = session.get(ProcessInstance, started.instance_id).case_id
        untouched = load_facts(session, three.keyring, case_id)
        consulted = load_facts(session, three.keyring, case_id)
        assert consulted.view() == {}  # handed to pathway code
        # Meanwhile another step of the case changed the facts.
        session.get(CaseFactsRow, case_id).version += 1
        session.flush()
        now = three.clock.now()
        assert save_facts(session, three.keyring, case_id, untouched, now) is True
        assert save_facts(session, three.keyring, case_id, consulted, now) is False


def test_a_completion_removes_the_tasks_drafts_and_spares_the_delete_when_there_are_none(
    three, people
):
    started = three.start("three_steps", actor=people["caseworker"])
    task_id = started.next_task_ids[0]
    three.save_draft(task_id, actor=people["caseworker"], answers={"note": "half"})
    three.save_draft(task_id, actor="caseworker2", answers={"note": "other"})
    with counting(three.db) as counted:
        done = three.complete_task(task_id, actor=people["caseworker"], answers={"note": "x"})
    assert [s for s in counted.sql if s.startswith("DELETE FROM task_draft")]
    with three.db.sa_engine.connect() as c:
        left = c.execute(sa.text("SELECT count(*) FROM task_draft")).scalar()
    assert left == 0  # everyone's drafts of a done task are of no further use
    with counting(three.db) as counted:
        three.complete_task(
            done.next_task_ids[0], actor=people["caseworker"], answers={"note": "y"}
        )
    assert not [s for s in counted.sql if s.startswith("DELETE")]


@pytest.mark.skipif(not ON_POSTGRES, reason="one statement for the save is PostgreSQL's")
def test_the_save_locks_the_audit_head_after_every_row_it_writes(engine):
    """Alone, the head is locked by the command's first audit append, after its writes. Inside
    the save's statement it must still come last (the plan runs the writes as the lock's
    one-time condition), or a completion holding the head would wait on a task row another
    command holds while that command waits on the head."""
    statement = store._together(WRITE_FACTS, True, True)
    compiled = statement.compile(dialect=engine.db.sa_engine.dialect)
    with engine.db.sa_engine.connect() as connection:
        plan = [
            line.strip()
            for (line,) in connection.exec_driver_sql(
                "EXPLAIN (COSTS OFF) " + compiled.string,
                compiled.params,  # the literals' values; None for the rest
            )
        ]
    lock = plan.index("->  LockRows")
    head = next(i for i, line in enumerate(plan) if "on audit_chain_head" in line)
    before_the_head = " ".join(plan[lock:head])
    for part in ("row_written", "state_written", "facts_written", "task_done"):
        assert f"CTE Scan on {part}" in before_the_head, "\n".join(plan)
    assert "One-Time Filter" in before_the_head


@pytest.mark.parametrize("count", [2, chain.APPEND_TOGETHER_AT_MOST + 1])
def test_a_transaction_appending_many_events_commits_them_all_and_the_chain_verifies(
    three, people, count
):
    """A few events go out with the head's move; many (a bulk command's) as one INSERT
    of many rows, since one statement for thousands would pass PostgreSQL's parameter limit."""
    before = three.check_audit(actor=people["admin"]).last_seq
    with counting(three.db) as counted, three.db.write() as session:
        for n in range(count):
            trail.record(
                session, three.services, "system", AuditAction.KEY_ROTATED, detail={"n": n}
            )
    report = three.check_audit(actor=people["admin"])
    assert report.ok, report.reason
    assert report.last_seq == before + count
    together = [s for s in counted.sql if s.startswith("WITH appended")]
    assert len(together) == (1 if ON_POSTGRES and count <= chain.APPEND_TOGETHER_AT_MOST else 0)


def test_writers_in_threads_chain_their_events_onto_each_other(three, people):
    """On SQLite a completion takes the audit head's place with its first read (its write
    transaction holds the one write lock from its start); on PostgreSQL it locks the head
    with its save. Either way, completions racing in threads leave one unbroken chain."""
    started = [three.start("three_steps", actor=people["caseworker"]) for _ in range(4)]
    failures: list[BaseException] = []

    def work(case_ref: str) -> None:
        try:
            for _ in range(3):
                task = three.tasks_for(people["caseworker"], case_ref=case_ref)[0]
                three.complete_task(task.id, actor=people["caseworker"], answers={"note": "x"})
        except BaseException as err:  # reported by the assertion below
            failures.append(err)

    threads = [threading.Thread(target=work, args=(s.case_ref,)) for s in started]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    report = three.check_audit(actor=people["admin"])
    assert report.ok, report.reason
    completed = AuditFilters(action="instance:task:completed")
    events, _ = three.audit_search(completed, actor=people["admin"])
    assert len(events) == 12
