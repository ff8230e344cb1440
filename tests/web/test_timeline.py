"""The administrator's timeline reads the stored evidence back in people's words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engine.audit.queries import AuditEntry
from engine.spiff.parsing import element_names
from webapp.admin.timeline import timeline

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
DIAGRAM = """<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">
  <process id="court_dates" name="Court dates"><userTask id="Activity_0x" name="Prepare
    the witness"/><intermediateCatchEvent id="Event_1" name="Court date set"/></process>
</definitions>"""


def _event(seq: int, action: str, actor: str = "caseworker", **detail) -> AuditEntry:
    return AuditEntry(
        seq,
        T0 + timedelta(minutes=seq),
        actor,
        action,
        "PP-2026-000001",
        1,
        None,
        "court_dates",
        1,
        detail,
        False,
    )


def test_ids_and_python_values_become_names_and_words():
    names = element_names([DIAGRAM, "<not xml"])
    assert names["Activity_0x"] == "Prepare the witness"
    lines = timeline(
        [
            _event(1, "instance:started", versions={"court_dates": 1}),
            _event(
                2,
                "instance:task:claimed",
                bpmn_id="Activity_0x",
                title="Prepare the witness",
                previous_assignee=None,
            ),
            _event(3, "instance:message:received", elements=["Event_1"], message="court_date"),
            _event(
                4,
                "instance:task:reassigned",
                bpmn_id="Activity_0x",
                role="shelter_officer",
                previous_assignee="ana",
                urgent=True,
            ),
        ],
        names,
    )
    assert [line.words for line in lines] == [
        ["Court dates version 1"],
        ["“Prepare the witness”"],
        ["at “Court date set”", "message “court_date”"],
        ["step “Prepare the witness”", "role Shelter officer", "held before by ana", "urgent: yes"],
    ]
    assert "None" not in str([line.words for line in lines])


def test_a_run_of_looks_by_one_person_is_one_line_with_a_count():
    lines = timeline(
        [
            _event(1, "case:viewed", view="case page"),
            _event(2, "case:viewed", view="case page"),
            _event(3, "case:viewed", view="case page"),
            _event(4, "case:viewed", actor="supervisor", view="case page"),
            _event(5, "instance:task:completed", title="Prepare the witness"),
            _event(6, "case:viewed", view="case page"),
        ],
        {},
    )
    assert [(line.action, line.actor, line.repeated) for line in lines] == [
        ("case:viewed", "caseworker", 3),
        ("case:viewed", "supervisor", 1),
        ("instance:task:completed", "caseworker", 1),
        ("case:viewed", "caseworker", 1),
    ]
    assert lines[0].last_at == T0 + timedelta(minutes=3)
