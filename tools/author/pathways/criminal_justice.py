"""Victim-witness support before, during and after trial; compensation."""

from __future__ import annotations

from tools.author.bpmn import Diagram
from tools.author.forms import (
    LANGUAGE_FIELDS,
    boolean,
    choice,
    date,
    form,
    multi,
    number,
    text,
    when,
)

FILE = "criminal_justice_support.bpmn"
WSO, LEGAL = "Witness support officer", "Legal adviser"

MEASURES = [
    ("video_recorded_interview", "Video-recorded interview used as evidence in chief"),
    ("no_direct_confrontation", "No direct confrontation with the accused (screen or video link)"),
    ("support_person", "A support person present"),
    ("closed_hearing", "Hearing closed to the public"),
    ("anonymity", "Identity withheld"),
    ("witness_protection", "Witness protection programme"),
]
CHILD_MEASURES = ["video_recorded_interview", "no_direct_confrontation", "support_person"]

FORMS = {
    "pretrial_information.json": form(
        "Inform about the options, including as a witness",
        [
            *LANGUAGE_FIELDS,
            boolean(
                "options_explained",
                "Were the options explained, including that assistance does not depend on cooperating?",
            ),
            boolean("wishes_to_testify", "Is the person willing to act as a witness?"),
        ],
        required=["language", "interpreter_present", "options_explained", "wishes_to_testify"],
    ),
    "legal_counsel.json": form(
        "Arrange independent legal counsel",
        [
            boolean("counsel_assigned", "Is independent legal counsel assigned?"),
            text("counsel_office", "Counsel (office or organisation)", max_length=200),
        ],
        required=["counsel_assigned"],
        conditions=[when({"counsel_assigned": True}, require=["counsel_office"])],
    ),
    "witness_risk_assessment.json": form(
        "Risk assessment and protective measures",
        [
            choice(
                "witness_risk",
                "Risk to the person as a witness",
                [("low", "Low"), ("medium", "Medium"), ("high", "High")],
            ),
            multi(
                "protective_measures",
                "Protective measures requested",
                MEASURES,
                help="For a child, testimonial aids are added automatically.",
            ),
        ],
        required=["witness_risk", "protective_measures"],
    ),
    "hearing_schedule.json": form(
        "Next hearing",
        [
            date("hearing_date", "Hearing date"),
            text("court", "Court", max_length=200, required_text=True),
        ],
        required=["hearing_date", "court"],
    ),
    "hearing_preparation.json": form(
        "Prepare for the hearing",
        [
            boolean(
                "informed_of_proceedings",
                "Was the person told how the proceedings are going and what happens next?",
            ),
            boolean("measures_confirmed", "Are the protective measures confirmed with the court?"),
            *LANGUAGE_FIELDS,
        ],
        required=[
            "informed_of_proceedings",
            "measures_confirmed",
            "language",
            "interpreter_present",
        ],
        description="Due a week before the hearing.",
    ),
    "hearing_accompaniment.json": form(
        "Accompany the person at the hearing",
        [
            boolean(
                "accompanied", "Was the person accompanied before, during and after the hearing?"
            ),
            boolean(
                "required_to_testify_in_person", "Was the person required to testify in person?"
            ),
            boolean("another_hearing", "Is there another hearing?"),
        ],
        required=["accompanied", "required_to_testify_in_person", "another_hearing"],
    ),
    "post_trial_information.json": form(
        "Inform about the outcome",
        [
            choice(
                "trial_outcome",
                "Outcome",
                [
                    ("conviction", "Conviction"),
                    ("acquittal", "Acquittal"),
                    ("dismissed", "Dismissed or dropped"),
                ],
            ),
            text("sentence", "Sentence and its length", max_length=300),
            date("offender_release_date", "Offender's expected release date"),
            boolean("appeal_information_given", "Was the person told about appeal possibilities?"),
            *LANGUAGE_FIELDS,
        ],
        required=["trial_outcome", "appeal_information_given", "language", "interpreter_present"],
        conditions=[when({"trial_outcome": "conviction"}, require=["sentence"])],
    ),
    "protection_plan_revision.json": form(
        "Revise the protection plan with the person",
        [
            boolean("ongoing_witness_protection", "Is witness protection still needed?"),
            boolean(
                "residence_needed", "Is continued residence needed because return is dangerous?"
            ),
            boolean("claim_compensation", "Does the person want to claim compensation?"),
            text("plan_changes", "Changes to the protection plan", long=True, required_text=True),
        ],
        required=[
            "ongoing_witness_protection",
            "residence_needed",
            "claim_compensation",
            "plan_changes",
        ],
    ),
    "compensation_assessment.json": form(
        "Assess the compensation claim",
        [
            number("unpaid_wages", "Unpaid wages"),
            number("legal_fees", "Legal fees"),
            number("medical_expenses", "Medical expenses"),
            number("lost_opportunities", "Lost opportunities"),
            number("pain_and_suffering", "Pain and suffering"),
            text("currency", "Currency", max_length=3, required_text=True),
        ],
        required=["currency"],
    ),
    "compensation_claim.json": form(
        "File the claim",
        [
            choice(
                "compensation_route",
                "Route",
                [
                    ("criminal_court_order", "Order in the criminal case"),
                    ("civil_claim", "Civil claim"),
                    ("state_fund", "State compensation fund"),
                ],
            ),
            date("claim_filed_on", "Filed on"),
        ],
        required=["compensation_route", "claim_filed_on"],
    ),
    "compensation_outcome.json": form(
        "Record the outcome",
        [
            number("amount_awarded", "Amount awarded"),
            boolean("paid", "Has it been paid?"),
            boolean("from_forfeited_assets", "Paid from forfeited assets?"),
        ],
        required=["amount_awarded", "paid"],
    ),
}

CHILD_AIDS = f"""
if case.get('is_child', False):
    protective_measures = sorted(set(protective_measures + {CHILD_MEASURES!r}))
set_case_fact('protective_measures', protective_measures)
"""
RECORD_OUTCOME = """
set_case_fact('trial_outcome', trial_outcome)
set_case_fact('informed_of_outcome', True)
"""


def diagram() -> Diagram:
    d = Diagram("criminal_justice_definitions")
    p = d.process("criminal_justice_support", "Criminal-justice support", [(WSO, 2), (LEGAL, 1)])
    p.documentation = (
        "Pre-trial information and counsel, risk assessment and protective measures "
        "(automatic testimonial aids for children), accompaniment at every hearing (hearing dates "
        "drive the due dates), then the outcome, a revised protection plan and compensation."
    )
    p.start("cj_start", "Proceedings opened", WSO, 0)
    p.user(
        "pretrial_information", "Inform about the options", WSO, 1, form="pretrial_information.json"
    )
    p.user("assign_legal_counsel", "Arrange legal counsel", LEGAL, 2, form="legal_counsel.json")
    p.user(
        "witness_risk_assessment",
        "Risk assessment and protective measures",
        WSO,
        3,
        form="witness_risk_assessment.json",
    )
    p.script("testimonial_aids", "Add testimonial aids for a child", WSO, 4, script=CHILD_AIDS)
    p.xor("merge_hearings", "", WSO, 5)
    p.user("schedule_hearing", "Record the next hearing", WSO, 6, form="hearing_schedule.json")
    p.timer(
        "week_before_hearing",
        "A week before the hearing",
        WSO,
        7,
        date="add_days(hearing_date, -7)",
    )
    p.user("prepare_witness", "Prepare for the hearing", WSO, 8, form="hearing_preparation.json")
    p.user(
        "accompany_hearing",
        "Accompany at the hearing",
        WSO,
        9,
        form="hearing_accompaniment.json",
        props={
            "guard.child_not_required": "not (case.get('is_child', False) and required_to_testify_in_person)",
            "guard.child_not_required.message": "A child is never required to testify in person; record the testimonial aids used instead.",
        },
    )
    p.xor("another_hearing_gw", "Another hearing?", WSO, 10, default="flow_last_hearing")
    p.user(
        "post_trial_information",
        "Inform about the outcome",
        WSO,
        11,
        form="post_trial_information.json",
    )
    p.script("record_trial_outcome", "Record the outcome", WSO, 12, script=RECORD_OUTCOME)
    p.user(
        "revise_protection_plan",
        "Revise the protection plan",
        WSO,
        13,
        form="protection_plan_revision.json",
    )
    p.xor("compensation_gw", "Claim compensation?", WSO, 14, default="flow_no_compensation")
    p.call("seek_compensation", "Compensation", LEGAL, 15, called="compensation")
    p.xor("merge_compensation", "", WSO, 16)
    p.end("cj_done", "Support complete", WSO, 17)
    p.chain(
        "cj_start",
        "pretrial_information",
        "assign_legal_counsel",
        "witness_risk_assessment",
        "testimonial_aids",
        "merge_hearings",
        "schedule_hearing",
        "week_before_hearing",
        "prepare_witness",
        "accompany_hearing",
        "another_hearing_gw",
    )
    p.flow("another_hearing_gw", "merge_hearings", "Yes", "another_hearing == True")
    p.flow("another_hearing_gw", "post_trial_information", "No", fid="flow_last_hearing")
    p.chain(
        "post_trial_information",
        "record_trial_outcome",
        "revise_protection_plan",
        "compensation_gw",
    )
    p.flow("compensation_gw", "seek_compensation", "Yes", "claim_compensation == True")
    p.flow("compensation_gw", "merge_compensation", "No", fid="flow_no_compensation")
    p.chain("seek_compensation", "merge_compensation", "cj_done")

    c = d.process("compensation", "Compensation", [(LEGAL, 1)])
    c.documentation = "Unpaid wages, legal fees, medical expenses, lost opportunities, pain and suffering; open to non-citizens."
    c.start("compensation_start", "Claim wanted", LEGAL, 0)
    c.user("assess_compensation", "Assess the claim", LEGAL, 1, form="compensation_assessment.json")
    c.user("file_compensation_claim", "File the claim", LEGAL, 2, form="compensation_claim.json")
    c.user(
        "record_compensation_outcome",
        "Record the outcome",
        LEGAL,
        3,
        form="compensation_outcome.json",
    )
    c.end("compensation_done", "Done", LEGAL, 4)
    c.chain(
        "compensation_start",
        "assess_compensation",
        "file_compensation_claim",
        "record_compensation_outcome",
        "compensation_done",
    )
    return d
