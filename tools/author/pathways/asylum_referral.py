"""Asylum referral: information, claim or referral, and the non-refoulement flag."""

from __future__ import annotations

from tools.author.bpmn import Diagram
from tools.author.forms import LANGUAGE_FIELDS, boolean, choice, date, form, text

FILE = "asylum_referral.bpmn"
LEGAL = "Legal adviser"

FORMS = {
    "asylum_information.json": form(
        "Inform about asylum",
        [
            *LANGUAGE_FIELDS,
            boolean(
                "asylum_explained", "Were the right to seek asylum and the procedure explained?"
            ),
            boolean("wishes_to_claim", "Does the person wish to claim asylum?"),
            boolean(
                "origin_mission_not_contacted",
                "Confirm the country-of-origin mission was not contacted",
            ),
        ],
        required=[
            "language",
            "interpreter_present",
            "asylum_explained",
            "wishes_to_claim",
            "origin_mission_not_contacted",
        ],
    ),
    "asylum_claim.json": form(
        "Submit the claim or refer",
        [
            choice(
                "claim_route",
                "Route",
                [("national_authority", "National asylum authority"), ("unhcr", "UNHCR")],
            ),
            date("claim_submitted_on", "Submitted or referred on"),
            text("claim_reference", "Reference", max_length=100),
        ],
        required=["claim_route", "claim_submitted_on"],
    ),
    "asylum_decision.json": form(
        "Record the asylum decision",
        [
            choice(
                "asylum_decision",
                "Decision",
                [
                    ("refugee_status", "Refugee status granted"),
                    ("subsidiary_protection", "Subsidiary or complementary protection granted"),
                    ("rejected_final", "Rejected, final"),
                    ("withdrawn", "Claim withdrawn"),
                ],
            ),
            date("asylum_decided_on", "Decided on"),
            boolean(
                "other_risk_of_harm",
                "Is there still a real risk of serious harm on return?",
                help="Non-refoulement applies whenever there is such a risk, whatever the decision.",
            ),
        ],
        required=["asylum_decision", "asylum_decided_on", "other_risk_of_harm"],
    ),
    "asylum_no_claim.json": form(
        "No claim: record the reasons",
        [
            text("no_claim_reasons", "Why no claim is made", long=True, required_text=True),
            boolean("other_risk_of_harm", "Is there still a real risk of serious harm on return?"),
        ],
        required=["no_claim_reasons", "other_risk_of_harm"],
    ),
}

FLAG = """
set_case_fact('asylum_pending', True)
set_case_fact('non_refoulement', True)
"""
AFTER_DECISION = """
protected = asylum_decision in ['refugee_status', 'subsidiary_protection']
set_case_fact('asylum_pending', False)
set_case_fact('asylum_decision', asylum_decision)
set_case_fact('non_refoulement', protected or other_risk_of_harm)
"""
AFTER_NO_CLAIM = """
set_case_fact('asylum_pending', False)
set_case_fact('non_refoulement', other_risk_of_harm)
"""


def diagram() -> Diagram:
    d = Diagram("asylum_referral_definitions")
    p = d.process("asylum_referral", "Asylum referral", [(LEGAL, 2)])
    p.documentation = (
        "Non-refoulement is flagged from the start and blocks any return until the claim is "
        "decided (and after, while a real risk of serious harm remains). The country-of-origin "
        "mission is never contacted."
    )
    p.start("asylum_start", "Possible refugee", LEGAL, 0)
    p.script("flag_non_refoulement", "Flag non-refoulement", LEGAL, 1, script=FLAG)
    p.user(
        "inform_asylum_rights",
        "Inform about asylum",
        LEGAL,
        2,
        form="asylum_information.json",
        props={
            "guard.no_origin_mission": "origin_mission_not_contacted == True",
            "guard.no_origin_mission.message": "Never contact the country-of-origin mission of a person who may be a refugee.",
        },
    )
    p.xor("claim_gw", "Claim asylum?", LEGAL, 3, default="flow_no_claim")
    p.user("submit_asylum_claim", "Submit the claim or refer", LEGAL, 4, form="asylum_claim.json")
    p.user("record_asylum_decision", "Record the decision", LEGAL, 5, form="asylum_decision.json")
    p.script("apply_asylum_decision", "Update non-refoulement", LEGAL, 6, script=AFTER_DECISION)
    p.user(
        "record_no_claim", "Record why no claim is made", LEGAL, 4, 1, form="asylum_no_claim.json"
    )
    p.script("apply_no_claim", "Update non-refoulement", LEGAL, 5, 1, script=AFTER_NO_CLAIM)
    p.xor("merge_asylum_outcome", "", LEGAL, 7)
    p.end("asylum_done", "Done", LEGAL, 8)
    p.chain("asylum_start", "flag_non_refoulement", "inform_asylum_rights", "claim_gw")
    p.flow("claim_gw", "submit_asylum_claim", "Yes", "wishes_to_claim == True")
    p.chain(
        "submit_asylum_claim",
        "record_asylum_decision",
        "apply_asylum_decision",
        "merge_asylum_outcome",
    )
    p.flow("claim_gw", "record_no_claim", "No", fid="flow_no_claim")
    p.chain("record_no_claim", "apply_no_claim", "merge_asylum_outcome")
    p.flow("merge_asylum_outcome", "asylum_done")
    return d
