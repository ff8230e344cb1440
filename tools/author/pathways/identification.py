"""Identification: first contact, the presumption rule, consent, assistance, decisions, recovery."""

from __future__ import annotations

from tools.author.bpmn import Diagram
from tools.author.pathways.identification_forms import FORMS, INDICATOR_FIELDS

__all__ = ["FILE", "FORMS", "diagram"]

FILE = "identification.bpmn"

FR, CW, IO, SUP, CPO = (
    "First responder",
    "Caseworker",
    "Identification officer",
    "Supervisor",
    "Child protection officer",
)
SHELTER, HEALTH, LEGAL = "Shelter officer", "Health worker", "Legal adviser"


def _presumption_script() -> str:
    joined = " + ".join(f"data.get('{f}', [])" for f in INDICATOR_FIELDS.values())
    return (
        "presumed_minor = (age_known == 'known' and age < 18) or "
        "(age_known == 'uncertain' and may_be_under_18)\n"
        f"indicators = {joined}\n"
        "presumption = ilo_presumption(indicators, presumed_minor)\n"
        "presumed_victim = presumption['presumed']\n"
        "referral_at = now()\n"
        "set_case_fact('presumed_victim', presumed_victim)\n"
        "set_case_fact('presumed_minor', presumed_minor)\n"
        "set_case_fact('is_child', presumed_minor)\n"
        "set_case_fact('referral_at', referral_at)\n"
        "set_case_fact('interpreter_needed', needs_interpreter)\n"
        "set_case_fact('language', language)\n"
    )


RETURN_GUARD_NOTE = "A conclusive decision cannot be recorded earlier than 30 days after the reflection period began."


def diagram() -> Diagram:
    d = Diagram("identification_definitions")
    _identification(d)
    _verification(d)
    return d


def _identification(d: Diagram) -> None:
    p = d.process(
        "identification",
        "Identification of a presumed victim",
        [(FR, 2), (CPO, 1), (CW, 2), (SUP, 2)],
    )
    p.documentation = (
        "First contact to referral. Anyone may start it. The ILO/EC rule decides the presumption; "
        "a possible child is presumed a child and referred to child protection at once, without a "
        "consent gate; an adult decides on referral (or a supervisor overrides with a reason)."
    )
    p.start("person_met", "Person met", FR, 0, 1)
    p.user(
        "first_contact_screening",
        "First-contact screening",
        FR,
        1,
        1,
        form="screening.json",
        instructions="Record what you observed. Tick every sign of trafficking you noticed.",
        props={"assignToStarter": "true"},
    )
    p.script(
        "apply_presumption_rule",
        "Apply the presumption rule",
        FR,
        2,
        1,
        script=_presumption_script(),
    )
    p.xor("presumed_gw", "Presumed victim?", FR, 3, 1, default="flow_not_presumed")
    p.user(
        "record_not_presumed",
        "Record reason and offer other help",
        FR,
        4,
        0,
        form="not_presumed.json",
    )
    p.end("closed_not_presumed", "Closed: not presumed", FR, 5, 0)
    p.xor("minor_gw", "Presumed child?", FR, 4, 1, default="flow_adult")
    # A presumed child: child protection and assistance run side by side.
    p.par("split_child", FR, 5, 1)
    p.call("child_referral", "Child referral", CPO, 6, called="child_referral")
    p.xor("assessed_adult_gw", "Assessed as an adult?", CPO, 7, default="flow_still_child")
    p.user(
        "consent_after_age_assessment",
        "Ask for consent now that age is assessed",
        CW,
        11,
        form="consent_to_referral.json",
        instructions="The age assessment found an adult: from now on referrals and sharing need consent.",
    )
    p.xor("consent_after_age_gw", "Consent given?", CW, 12, default="flow_after_age_declined")
    p.user(
        "override_after_age",
        "Decide on sharing without consent",
        SUP,
        13,
        form="consent_override.json",
    )
    p.xor("merge_child_branch", "", CPO, 14)
    p.call(
        "verification_for_child",
        "Assistance, verification and recovery",
        FR,
        6,
        1,
        called="verification",
    )
    p.par("join_child", FR, 15, 1)
    p.end("identification_done_child", "Identification pathway complete", FR, 16, 1)
    # An adult: consent first.
    p.user(
        "consent_to_referral",
        "Ask for consent to referral",
        CW,
        5,
        1,
        form="consent_to_referral.json",
        instructions="Explain the referral in a language the person understands.",
    )
    p.xor("consent_gw", "Consent given?", CW, 6, 1, default="flow_consent_declined")
    p.user(
        "consent_override",
        "Decide on referral without consent",
        SUP,
        7,
        1,
        form="consent_override.json",
    )
    p.xor("override_gw", "Overridden?", SUP, 8, 1, default="flow_not_overridden")
    p.call(
        "verification_for_adult",
        "Assistance, verification and recovery",
        CW,
        9,
        1,
        called="verification",
    )
    p.end("identification_done_adult", "Identification pathway complete", CW, 10, 1)
    p.end("referral_declined", "No referral: the person declined", SUP, 9, 1)

    p.chain("person_met", "first_contact_screening", "apply_presumption_rule", "presumed_gw")
    p.flow("presumed_gw", "record_not_presumed", "No", fid="flow_not_presumed")
    p.flow("record_not_presumed", "closed_not_presumed")
    p.flow("presumed_gw", "minor_gw", "Yes", "presumed_victim == True")
    p.flow("minor_gw", "split_child", "Yes", "presumed_minor == True")
    p.flow("split_child", "child_referral")
    p.flow("split_child", "verification_for_child")
    p.flow("child_referral", "assessed_adult_gw")
    p.flow("assessed_adult_gw", "consent_after_age_assessment", "Yes", "age_assessed_adult == True")
    p.flow("assessed_adult_gw", "merge_child_branch", "No", fid="flow_still_child")
    p.flow("consent_after_age_assessment", "consent_after_age_gw")
    p.flow(
        "consent_after_age_gw",
        "merge_child_branch",
        "Yes",
        "consent_services == True and consent_disclosure == True",
    )
    p.flow("consent_after_age_gw", "override_after_age", "No", fid="flow_after_age_declined")
    p.flow("override_after_age", "merge_child_branch")
    p.flow("merge_child_branch", "join_child")
    p.flow("verification_for_child", "join_child")
    p.flow("join_child", "identification_done_child")
    p.flow("minor_gw", "consent_to_referral", "No", fid="flow_adult")
    p.flow("consent_to_referral", "consent_gw")
    p.flow(
        "consent_gw",
        "verification_for_adult",
        "Yes",
        "consent_services == True and consent_disclosure == True",
    )
    p.flow("consent_gw", "consent_override", "No", fid="flow_consent_declined")
    p.flow("consent_override", "override_gw")
    p.flow("override_gw", "verification_for_adult", "Yes", "consent_overridden == True")
    p.flow("override_gw", "referral_declined", "No", fid="flow_not_overridden")
    p.flow("verification_for_adult", "identification_done_adult")


START_REFLECTION = """
reflection_started_on = today()
reflection_ends_at = add_days(now(), reflection_days)
set_case_fact('reflection_started', True)
set_case_fact('reflection_started_on', reflection_started_on)
set_case_fact('reflection_ends_at', reflection_ends_at)
set_case_fact('reflection_over', False)
"""
EXTEND_REFLECTION = """
reflection_ends_at = add_days(reflection_ends_at, extension_days)
set_case_fact('reflection_ends_at', reflection_ends_at)
set_case_fact('reflection_extended', True)
"""
RECORD_CONCLUSIVE = """
conclusive_on = today()
set_case_fact('conclusive_positive', conclusive_positive)
set_case_fact('conclusive_on', conclusive_on)
"""
END_REFLECTION = """
set_case_fact('reflection_over', True)
set_case_fact('reflection_ended_on', today())
"""
RECORD_ASSISTANCE = """
needs_asylum_referral = asylum_indicators == True or interview_asylum_indicators == True
set_case_fact('initial_assistance_started', True)
set_case_fact('informed_of_rights_in', language)
set_case_fact('possible_refugee', needs_asylum_referral)
"""
RECORD_RG = """
set_case_fact('rg_positive', rg_positive)
set_case_fact('rg_decided_on', today())
"""


def _verification(d: Diagram) -> None:
    p = d.process(
        "verification",
        "Assistance, verification and recovery",
        [(CW, 6), (SHELTER, 1), (HEALTH, 1), (IO, 1), (LEGAL, 2), (SUP, 1)],
    )
    p.documentation = (
        "Initial assistance starts at once, beside the initial interview. The reasonable-grounds "
        "decision is due 5 working days after referral. A positive decision starts the reflection "
        "and recovery period (30 to 90 days, extensions with a reason); it ends at the later of its "
        "end date and the conclusive decision, which cannot come before day 30."
    )
    p.start("verification_start", "Referred", CW, 0)
    p.par("split_assistance", CW, 1)
    p.user("safety_risk_plan", "Safety and risk plan", CW, 2, form="safety_risk_plan.json")
    p.user(
        "information_on_rights",
        "Inform of rights in a language understood",
        CW,
        2,
        1,
        form="information_on_rights.json",
        instructions="Orally and in writing; print the information sheet in the person's language.",
    )
    p.user(
        "arrange_accommodation",
        "Arrange safe accommodation",
        SHELTER,
        2,
        form="accommodation.json",
        props={
            "guard.no_detention": "freedom_of_movement == True or accommodation_type == 'declined'",
            "guard.no_detention.message": "Accommodation must let the person come and go: it may never amount to detention.",
        },
    )
    p.user(
        "medical_psychological_assistance",
        "Medical and psychological assistance",
        HEALTH,
        2,
        form="medical_psychological.json",
    )
    p.user(
        "initial_interview",
        "Initial interview",
        IO,
        2,
        form="initial_interview.json",
        props={
            "guard.no_origin_mission": "origin_mission_not_contacted == True",
            "guard.no_origin_mission.message": "Do not contact the country-of-origin mission of a person who may be a refugee; confirm it was not contacted.",
        },
    )
    p.par("join_assistance", CW, 3)
    p.script("record_assistance", "Record assistance started", CW, 4, script=RECORD_ASSISTANCE)
    p.par("split_decisions", CW, 5)
    p.xor("asylum_gw", "Asylum needs?", LEGAL, 6, default="flow_no_asylum")
    p.call("asylum_referral", "Asylum referral", LEGAL, 7, 1, called="asylum_referral")
    p.xor("merge_asylum", "", LEGAL, 9)
    p.user(
        "reasonable_grounds_decision",
        "Reasonable-grounds decision",
        IO,
        6,
        form="reasonable_grounds_decision.json",
        instructions="Due 5 working days after referral.",
    )
    p.boundary_timer(
        "rg_due",
        "Due in 5 working days",
        "reasonable_grounds_decision",
        date="add_working_days(referral_at, 5)",
    )
    p.user(
        "rg_decision_overdue",
        "Reasonable-grounds decision overdue",
        SUP,
        7,
        form="rg_decision_overdue.json",
    )
    p.end("rg_escalated", "Escalated", SUP, 8)
    p.script("record_rg", "Record the decision", IO, 7, script=RECORD_RG)
    p.xor("rg_gw", "Reasonable grounds?", IO, 8, default="flow_rg_negative")
    p.user(
        "negative_rg_follow_up", "Follow up a negative decision", CW, 9, 5, form="negative_rg.json"
    )
    p.script("start_reflection", "Start the reflection period", CW, 9, script=START_REFLECTION)
    p.par("split_reflection", CW, 10)
    p.xor("merge_reflection", "", CW, 11)
    p.timer("reflection_ends", "Reflection period ends", CW, 12, date="reflection_ends_at")
    p.user(
        "review_reflection",
        "Extend the reflection period or let it end",
        CW,
        13,
        form="reflection_review.json",
    )
    p.xor("extend_gw", "Extend?", CW, 14, default="flow_no_extension")
    p.script("extend_reflection", "Move the end date", CW, 14, 1, script=EXTEND_REFLECTION)
    p.user("formal_interview", "Formal interview", IO, 11, form="formal_interview.json")
    p.user(
        "conclusive_decision",
        "Conclusive decision",
        IO,
        12,
        form="conclusive_decision.json",
        props={
            "guard.not_before_day_30": "today() >= add_days(case['reflection_started_on'], 30)",
            "guard.not_before_day_30.message": RETURN_GUARD_NOTE,
        },
    )
    p.script(
        "record_conclusive", "Record the conclusive decision", IO, 13, script=RECORD_CONCLUSIVE
    )
    p.par("join_reflection", CW, 15)
    p.script("end_reflection", "Reflection period over", CW, 16, script=END_REFLECTION)
    p.xor("conclusive_gw", "Confirmed victim?", CW, 17, default="flow_conclusive_negative")
    p.user(
        "negative_conclusive_follow_up",
        "Follow up a negative conclusive decision",
        CW,
        19,
        4,
        form="negative_conclusive.json",
    )
    p.par("split_recovery", CW, 18)
    p.user("residence_status", "Residence status", CW, 19, form="residence_status.json")
    p.xor("permit_gw", "Permit expires?", CW, 20, default="flow_no_expiry")
    p.timer(
        "permit_renewal_due",
        "90 days before expiry",
        CW,
        21,
        1,
        date="add_days(permit_expires_on, -90)",
    )
    p.user("renew_permit", "Renew the residence permit", CW, 22, 1, form="renew_permit.json")
    p.xor("merge_permit", "", CW, 23)
    p.user(
        "family_tracing", "Family tracing and reunification", CW, 19, 2, form="family_tracing.json"
    )
    p.timer(
        "move_on_due", "45 days after confirmation", CW, 19, 3, date="add_days(conclusive_on, 45)"
    )
    p.user(
        "review_move_on_support", "Review move-on support", CW, 20, 3, form="move_on_review.json"
    )
    p.par("join_recovery", CW, 24)
    p.xor("merge_outcomes", "", CW, 25)
    p.par("join_decisions", CW, 26)
    p.end("verification_done", "Done", CW, 27)

    for task in (
        "safety_risk_plan",
        "information_on_rights",
        "arrange_accommodation",
        "medical_psychological_assistance",
        "initial_interview",
    ):
        p.flow("split_assistance", task)
        p.flow(task, "join_assistance")
    p.chain("verification_start", "split_assistance")
    p.chain("join_assistance", "record_assistance", "split_decisions")
    p.flow("split_decisions", "asylum_gw")
    p.flow("asylum_gw", "asylum_referral", "Yes", "needs_asylum_referral == True")
    p.flow("asylum_gw", "merge_asylum", "No", fid="flow_no_asylum")
    p.flow("asylum_referral", "merge_asylum")
    p.flow("merge_asylum", "join_decisions")
    p.flow("split_decisions", "reasonable_grounds_decision")
    p.flow("rg_due", "rg_decision_overdue")
    p.flow("rg_decision_overdue", "rg_escalated")
    p.chain("reasonable_grounds_decision", "record_rg", "rg_gw")
    p.flow("rg_gw", "negative_rg_follow_up", "No", fid="flow_rg_negative")
    p.flow("negative_rg_follow_up", "merge_outcomes")
    p.flow("rg_gw", "start_reflection", "Yes", "rg_positive == True")
    p.chain("start_reflection", "split_reflection")
    p.flow("split_reflection", "merge_reflection")
    p.chain("merge_reflection", "reflection_ends", "review_reflection", "extend_gw")
    p.flow("extend_gw", "extend_reflection", "Extend", "extend_reflection == True")
    p.flow("extend_reflection", "merge_reflection")
    p.flow("extend_gw", "join_reflection", "Let it end", fid="flow_no_extension")
    p.flow("split_reflection", "formal_interview")
    p.chain("formal_interview", "conclusive_decision", "record_conclusive", "join_reflection")
    p.chain("join_reflection", "end_reflection", "conclusive_gw")
    p.flow("conclusive_gw", "negative_conclusive_follow_up", "No", fid="flow_conclusive_negative")
    p.flow("negative_conclusive_follow_up", "merge_outcomes")
    p.flow("conclusive_gw", "split_recovery", "Yes", "conclusive_positive == True")
    p.flow("split_recovery", "residence_status")
    p.flow("residence_status", "permit_gw")
    p.flow(
        "permit_gw",
        "permit_renewal_due",
        "Yes",
        "permit_type in ['temporary_recovery', 'temporary_cooperation', 'humanitarian']",
    )
    p.flow("permit_gw", "merge_permit", "No", fid="flow_no_expiry")
    p.chain("permit_renewal_due", "renew_permit", "merge_permit", "join_recovery")
    p.flow("split_recovery", "family_tracing")
    p.flow("family_tracing", "join_recovery")
    p.flow("split_recovery", "move_on_due")
    p.chain("move_on_due", "review_move_on_support", "join_recovery")
    p.flow("join_recovery", "merge_outcomes")
    p.chain("merge_outcomes", "join_decisions", "verification_done")
