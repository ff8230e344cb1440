"""BPMN messages: another agency's answer reaches the pathway waiting for it, and only it."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from engine.errors import FormValidationFailed, NotFound, PermissionDenied
from tests.bpmn.diagrams import CW, NOTE_FORM, deploy, open_tasks, run_to_end
from tests.bpmn.test_event_gateways import answer_or_deadline
from tests.support import bpmn as b
from tests.support.cli import run_pathways

LA = "Legal adviser"
DECISION_FORM = {
    "type": "object",
    "properties": {"decision": {"type": "string", "enum": ["granted", "refused"]}},
    "required": ["decision"],
}
MESSAGE = (
    '<bpmn:message id="m_decision" name="asylum_decision"/>'
    '<bpmn:correlationProperty id="case_number" name="Case number">'
    '<bpmn:correlationPropertyRetrievalExpression messageRef="m_decision">'
    "<bpmn:messagePath>case_number</bpmn:messagePath>"
    "</bpmn:correlationPropertyRetrievalExpression></bpmn:correlationProperty>"
)


def awaiting_decision() -> str:
    receive = (
        '<bpmn:receiveTask id="decision_received" name="Asylum decision" messageRef="m_decision">'
        "<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property"
        ' name="formJsonSchemaFilename" value="decision.json"/></spiffworkflow:properties>'
        "</bpmn:extensionElements></bpmn:receiveTask>"
    )
    return b.definitions(
        MESSAGE
        + b.process(
            "asylum",
            b.start(),
            receive,
            b.exclusive("granted_gw", default="f_refused"),
            b.user_task("plan_stay", "Plan the stay", "note.json"),
            b.user_task("appeal", "Prepare the appeal", "note.json"),
            b.end(),
            b.end("e2"),
            *b.chain("start", "decision_received", "granted_gw"),
            b.flow("granted_gw", "plan_stay", "decision == 'granted'"),
            b.flow("granted_gw", "appeal", fid="f_refused"),
            b.flow("plan_stay", "end"),
            b.flow("appeal", "e2"),
            lanes={
                LA: ["start", "decision_received", "granted_gw", "plan_stay", "appeal", "end", "e2"]
            },
        )
    )


@pytest.fixture
def asylum(engine, tmp_path):
    path = b.write(
        tmp_path / "wf",
        "asylum.bpmn",
        awaiting_decision(),
        {"note.json": NOTE_FORM, "decision.json": DECISION_FORM},
    )
    engine.deploy([path], actor="system")
    engine.add_user("lawyer", roles=["legal_adviser"])
    return engine


def _received(engine) -> list[tuple[str, str]]:
    with engine.db.sa_engine.connect() as c:
        return c.execute(
            sa.text(
                "SELECT actor, detail_json FROM audit_event"
                " WHERE action = 'instance:message:received' ORDER BY seq"
            )
        ).all()


def test_a_message_reaches_the_case_waiting_for_it(asylum):
    started = asylum.start("asylum", actor="lawyer", data={"case_number": "AS-1"})
    sent = asylum.send_message(
        "asylum_decision", actor="lawyer", case_ref=started.case_ref, data={"decision": "granted"}
    )
    assert sent.as_dict() == {"delivered": [started.instance_id], "started": []}
    assert [t.bpmn_id for t in open_tasks(asylum, "lawyer")] == ["plan_stay"]
    [(who, detail)] = _received(asylum)
    assert who == "lawyer" and json.loads(detail) == {
        "message": "asylum_decision",
        "elements": ["decision_received"],
    }  # the decision itself is in the encrypted payload, not in the detail


def test_nothing_waiting_is_a_plain_refusal_and_nothing_changes(asylum):
    started = asylum.start("asylum", actor="lawyer")
    with pytest.raises(NotFound, match="nothing waits for the message 'court_date'"):
        asylum.send_message("court_date", actor="lawyer", case_ref=started.case_ref)
    with pytest.raises(FormValidationFailed):
        asylum.send_message(
            "asylum_decision", actor="lawyer", case_ref=started.case_ref, data={"decision": "?"}
        )
    assert _received(asylum) == []
    assert open_tasks(asylum, "lawyer") == []


def test_only_the_waiting_lane_s_role_may_send(asylum, people):
    started = asylum.start("asylum", actor="lawyer")
    asylum.add_case_member(started.case_ref, "caseworker", actor="admin", reason="team")
    with pytest.raises(PermissionDenied, match="legal_adviser"):
        asylum.send_message(
            "asylum_decision",
            actor=people["caseworker"],
            case_ref=started.case_ref,
            data={"decision": "granted"},
        )
    with pytest.raises(NotFound):  # and a case one may not open is not there at all
        asylum.send_message("asylum_decision", actor=people["responder"], case_ref=started.case_ref)


def test_correlation_keys_pick_the_right_case(asylum):
    first = asylum.start("asylum", actor="lawyer", data={"case_number": "AS-1"})
    second = asylum.start("asylum", actor="lawyer", data={"case_number": "AS-2"})
    sent = asylum.send_message(
        "asylum_decision",
        actor="lawyer",
        keys={"case_number": "AS-2"},
        data={"decision": "refused"},
    )
    assert sent.delivered == [second.instance_id]
    [appeal] = open_tasks(asylum, "lawyer")
    assert (appeal.bpmn_id, appeal.instance_id) == ("appeal", second.instance_id)
    with pytest.raises(NotFound):
        asylum.send_message("asylum_decision", actor="lawyer", keys={"case_number": "AS-9"})
    assert first.instance_id not in sent.delivered


def test_the_message_branch_of_an_event_gateway_wins_and_its_deadline_goes(
    engine, tmp_path, people
):
    deploy(engine, tmp_path, answer_or_deadline())
    started = engine.start("awaiting_decision", actor=people["caseworker"])
    assert len(engine.timers(actor="admin")) == 1
    engine.send_message("asylum_decision", actor=people["caseworker"], case_ref=started.case_ref)
    assert engine.timers(actor="admin") == []
    run_to_end(engine, people["caseworker"], started.instance_id, expect=["record"])


def test_a_message_start_event_starts_a_pathway(engine, tmp_path, people):
    text = b.definitions(
        '<bpmn:message id="m_report" name="risk_report"/>'
        + b.process(
            "risk_review",
            '<bpmn:startEvent id="report_in"><bpmn:messageEventDefinition messageRef="m_report"/>'
            "</bpmn:startEvent>",
            b.user_task("review", "Review the risk report", "note.json"),
            b.end(),
            *b.chain("report_in", "review", "end"),
            lanes={CW: ["report_in", "review", "end"]},
        )
    )
    deploy(engine, tmp_path, text)
    case = engine.start("risk_review", actor=people["caseworker"])  # one already running
    sent = engine.send_message(
        "risk_report", actor=people["caseworker"], case_ref=case.case_ref, data={"note": "high"}
    )
    assert sent.delivered == [case.instance_id]  # the waiting one takes it
    sent = engine.send_message(
        "risk_report", actor=people["caseworker"], case_ref=case.case_ref, data={"note": "low"}
    )
    assert sent.delivered == [] and len(sent.started) == 1  # nothing waits now: a new one starts
    assert len([t for t in open_tasks(engine, people["caseworker"]) if t.bpmn_id == "review"]) == 2


def test_the_command_line_delivers_and_says_when_nothing_waits(asylum, cli_env):
    started = asylum.start("asylum", actor="lawyer")
    nothing = run_pathways(
        cli_env, "message", "court_date", "--as", "lawyer", "--case", started.case_ref
    )
    assert nothing.returncode == 4 and "nothing waits" in nothing.stderr
    done = run_pathways(
        cli_env,
        "message",
        "asylum_decision",
        "--as",
        "lawyer",
        "--case",
        started.case_ref,
        "--data",
        '{"decision": "granted"}',
        "--json",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"delivered": [started.instance_id], "started": []}


def test_the_api_delivers_and_answers_404_when_nothing_waits(asylum, app):
    started = asylum.start("asylum", actor="lawyer")
    client = app.test_client()
    auth = {"Authorization": f"Bearer {asylum.create_token('lawyer', name='t')}"}
    missing = client.post(
        "/api/v1/messages", json={"name": "court_date", "case_ref": started.case_ref}, headers=auth
    )
    assert missing.status_code == 404
    done = client.post(
        "/api/v1/messages",
        json={
            "name": "asylum_decision",
            "case_ref": started.case_ref,
            "data": {"decision": "granted"},
        },
        headers=auth,
    )
    assert done.status_code == 200 and done.json == {
        "delivered": [started.instance_id],
        "started": [],
    }


def _waiting_with(*extra: str, flows: list[str], nodes: list[str]) -> str:
    return b.definitions(
        '<bpmn:message id="m_court" name="court_date"/>'
        + b.process(
            "hearing",
            b.start(),
            b.user_task("prepare", "Prepare the witness", "note.json"),
            b.end(),
            *extra,
            *b.chain("start", "prepare", "end"),
            *flows,
            lanes={CW: ["start", "prepare", "end", *nodes]},
        )
    )


def test_a_message_boundary_event_interrupts_the_step_it_is_on(engine, tmp_path, people):
    boundary = (
        '<bpmn:boundaryEvent id="cancelled" name="Hearing cancelled" attachedToRef="prepare">'
        '<bpmn:messageEventDefinition messageRef="m_court"/></bpmn:boundaryEvent>'
    )
    text = _waiting_with(
        boundary,
        b.user_task("inform", "Inform the witness", "note.json"),
        b.end("informed"),
        flows=[*b.chain("cancelled", "inform", "informed")],
        nodes=["cancelled", "inform", "informed"],
    )
    deploy(engine, tmp_path, text)
    started = engine.start("hearing", actor=people["caseworker"])
    engine.send_message("court_date", actor=people["caseworker"], case_ref=started.case_ref)
    assert [t.bpmn_id for t in open_tasks(engine, people["caseworker"])] == ["inform"]


def test_an_event_sub_process_started_by_a_message_runs_beside_the_main_flow(
    engine, tmp_path, people
):
    listener = (
        '<bpmn:subProcess id="on_court_date" triggeredByEvent="true">'
        '<bpmn:startEvent id="court_in" isInterrupting="false">'
        '<bpmn:messageEventDefinition messageRef="m_court"/></bpmn:startEvent>'
        + b.user_task("book_transport", "Book transport to court", "note.json")
        + b.end("booked")
        + "".join(b.chain("court_in", "book_transport", "booked"))
        + "</bpmn:subProcess>"
    )
    deploy(engine, tmp_path, _waiting_with(listener, flows=[], nodes=["on_court_date"]))
    started = engine.start("hearing", actor=people["caseworker"])
    engine.send_message(
        "court_date", actor=people["caseworker"], case_ref=started.case_ref, data={"note": "5 May"}
    )
    open_now = sorted(t.bpmn_id for t in open_tasks(engine, people["caseworker"]))
    assert open_now == ["book_transport", "prepare"]
