"""The protection-commitments record and overdue list, built from real scenario runs."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from engine.accountability import commitments as c
from engine.config import PROJECT_ROOT
from engine.errors import PermissionDenied
from engine.scenarios.model import load
from engine.scenarios.runner import Run
from tests.support.cases import complete_step

SCENARIOS = PROJECT_ROOT / "workflows" / "scenarios"
STORY5 = SCENARIOS / "story5_adult_identification_return_four_check_ins.yaml"


def run(engine, clock, name: str) -> str:
    story = Run(engine, clock, load(SCENARIOS / f"{name}.yaml"))
    story.run()
    return story.case_ref


def statuses(engine, ref: str) -> dict[str, c.CommitmentStatus]:
    return {s.key: s for s in engine.view_case(ref, actor="admin").commitments}


def test_an_adult_returned_home_has_the_identification_and_return_commitments_met(deployed, clock):
    ref = run(deployed, clock, "story5_adult_identification_return_four_check_ins")
    found = statuses(deployed, ref)
    assert [key for key, s in found.items() if s.status == c.Judgement.MET] == [
        "treated_as_victim",
        "informed_of_protection",
        "reflection_period",
        "safe_accommodation",
        "partners_consulted",
        "danger_assessed",
    ]
    assert {key for key, s in found.items() if s.status == c.Judgement.NOT_APPLICABLE} == {
        "informed_of_proceedings",
        "accompanied",
        "compensation",
        "after_proceedings",
    }
    informed = found["informed_of_protection"].evidence
    assert [(e.title, e.actor, e.text()) for e in informed] == [
        (
            "Inform of rights in a language understood",
            "caseworker",
            "orally and in writing, in Bahasa Indonesia",
        )
    ]
    shelter = found["safe_accommodation"].evidence[0]
    assert (shelter.title, shelter.actor) == ("Arrange safe accommodation", "shelter_officer")
    consulted = [e.title for e in found["partners_consulted"].evidence]
    assert consulted == ["Risk assessment before return"]
    reflection = found["reflection_period"].evidence[0]
    assert reflection.text() == "reflection period of 30 days"


def test_a_person_not_presumed_a_victim_is_owed_none_of_the_presumption_commitments(
    deployed, clock
):
    ref = run(deployed, clock, "story2_adult_without_means_not_presumed")
    found = statuses(deployed, ref)
    assert {s.status for s in found.values()} == {c.Judgement.NOT_APPLICABLE}
    assert found["treated_as_victim"].explanation == "Not presumed a victim at screening."
    assert found["treated_as_victim"].evidence[0].title == "First-contact screening"


def test_a_declined_referral_is_recorded_as_the_reason(deployed, clock):
    ref = run(deployed, clock, "consent_declined_no_override")
    found = statuses(deployed, ref)
    assert found["safe_accommodation"].status == c.Judgement.NOT_APPLICABLE
    assert "declined" in found["safe_accommodation"].explanation


def test_criminal_justice_commitments_follow_the_hearings_and_the_claim(deployed, clock):
    ref = run(deployed, clock, "criminal_justice_adult_two_hearings_compensation")
    found = statuses(deployed, ref)
    for key in ("informed_of_proceedings", "accompanied", "compensation", "after_proceedings"):
        assert found[key].status == c.Judgement.MET, (key, found[key])
    accompanied = [(e.title, e.note) for e in found["accompanied"].evidence]
    assert accompanied == [
        ("Prepare for the hearing", "before"),
        ("Accompany at the hearing", "during"),
        ("Inform about the outcome", "after"),
    ]
    # Screening never happened in this story: the presumption commitments wait, undated.
    waiting = found["treated_as_victim"]
    assert (waiting.status, waiting.expected_by) == (c.Judgement.NOT_YET, None)


def test_rights_told_only_orally_stay_unmet_and_become_overdue(deployed, clock):
    clock.set(load(STORY5).start_at)  # the story's answers are dated from its first day
    started = deployed.start("identification", actor="first_responder")
    ref = started.case_ref
    answers = load(SCENARIOS / "story5_adult_identification_return_four_check_ins.yaml")
    by_step = {
        s.target: s.options.get("answers", {}) for s in answers.steps if s.kind == "complete"
    }

    def complete(bpmn_id: str, person: str, **changes):
        complete_step(deployed, ref, bpmn_id, person, {**by_step[bpmn_id], **changes})

    complete("first_contact_screening", "first_responder")
    complete("consent_to_referral", "caseworker")
    screened_at = clock.now()
    before = statuses(deployed, ref)["informed_of_protection"]
    assert before.status == c.Judgement.NOT_YET
    assert before.expected_by == screened_at + timedelta(days=c.INFORMED_DAYS)
    complete("safety_risk_plan", "caseworker")
    complete("information_on_rights", "caseworker", written_copy_given=False)
    after = statuses(deployed, ref)["informed_of_protection"]
    assert after.status == c.Judgement.NOT_YET
    assert after.explanation == "Recorded without being informed in writing."

    assert not [o for o in deployed.overdue_commitments(actor="coordinator") if o.case_ref == ref]
    clock.advance(timedelta(days=c.INFORMED_DAYS, hours=1))
    late = [o for o in deployed.overdue_commitments(actor="coordinator") if o.case_ref == ref]
    # Assistance and the risk plan are done; the RG decision is expected at 7 days, not late.
    assert {o.commitment for o in late} == {
        "Informed orally and in writing, in a language understood, of protection and support",
        "Safe accommodation and support, irrespective of status or cooperation",
    }
    assert all(o.days_late >= 0 for o in late)


def test_only_coordinators_and_administrators_see_the_overdue_list(deployed):
    with pytest.raises(PermissionDenied):
        deployed.overdue_commitments(actor="caseworker")
    assert deployed.overdue_commitments(actor="admin") == []


def test_the_command_line_lists_overdue_commitments(deployed, clock, cli_env):
    from tests.support.cli import run_pathways

    clock.set(load(STORY5).start_at)
    started = deployed.start("identification", actor="first_responder")
    screening = next(
        s.options["answers"]
        for s in load(SCENARIOS / "story5_adult_identification_return_four_check_ins.yaml").steps
        if s.target == "first_contact_screening"
    )
    task = deployed.tasks_for("first_responder", case_ref=started.case_ref)[0]
    deployed.complete_task(task.id, actor="first_responder", answers=screening)
    # The command runs on the real clock, long after the test clock's January screening.
    listed = run_pathways(cli_env, "commitments", "overdue", "--as", "coordinator", "--json")
    assert listed.returncode == 0, listed.stderr
    late = json.loads(listed.stdout)
    assert {item["case_ref"] for item in late} == {started.case_ref}
    assert "Afforded a period of reflection" in {item["commitment"] for item in late}
    text = run_pathways(cli_env, "commitments", "overdue", "--as", "coordinator").stdout
    assert f"{started.case_ref}" in text and "days late" in text
    refused = run_pathways(cli_env, "commitments", "overdue", "--as", "caseworker")
    assert refused.returncode == 3


def test_the_record_survives_retiring_the_key_that_sealed_the_audit_payloads(
    deployed, clock, data_key, settings
):
    """After rotation the answers behind the evidence come from the re-encrypted state."""
    from engine.audit.actions import AuditAction
    from engine.audit.search import AuditFilters
    from engine.crypto.keyring import Keyring, KeyringError, new_key
    from engine.crypto.rotation import reseal_all
    from engine.runtime import Engine

    ref = run(deployed, clock, "story5_adult_identification_return_four_check_ins")
    before = statuses(deployed, ref)
    fresh = new_key()
    reseal_all(deployed.db, Keyring([fresh, data_key]))
    new_only = Engine(settings, keyring=Keyring([fresh]), clock=clock)
    try:
        after = {s.key: s for s in new_only.view_case(ref, actor="admin").commitments}
        answered, _ = new_only.audit_search(
            AuditFilters(action=AuditAction.TASK_COMPLETED, case_ref=ref), actor="admin"
        )
        with pytest.raises(KeyringError):  # the payloads really are out of reach
            new_only.event_data(answered[0].seq, actor="admin")
    finally:
        new_only.close()
    assert after == before
    assert after["informed_of_protection"].evidence[0].text() == (
        "orally and in writing, in Bahasa Indonesia"
    )


@pytest.mark.parametrize(
    ("orally", "written", "explanation"),
    [(True, False, "in writing"), (False, True, "orally"), (False, False, "orally or in writing")],
)
def test_what_is_missing_from_the_rights_information_is_named(
    deployed, clock, orally, written, explanation
):
    clock.set(load(STORY5).start_at)
    ref = deployed.start("identification", actor="first_responder").case_ref
    story = load(SCENARIOS / "story5_adult_identification_return_four_check_ins.yaml")
    by_step = {s.target: s.options.get("answers", {}) for s in story.steps if s.kind == "complete"}
    for task, person in (
        ("first_contact_screening", "first_responder"),
        ("consent_to_referral", "caseworker"),
    ):
        complete_step(deployed, ref, task, person, by_step[task])
    rights = {**by_step["information_on_rights"], "informed_orally": orally}
    complete_step(
        deployed,
        ref,
        "information_on_rights",
        "caseworker",
        {**rights, "written_copy_given": written},
    )
    found = statuses(deployed, ref)["informed_of_protection"]
    assert (found.status, found.explanation) == (
        c.Judgement.NOT_YET,
        f"Recorded without being informed {explanation}.",
    )
