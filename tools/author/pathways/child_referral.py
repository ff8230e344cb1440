"""Child referral: presumption of minority, notification in 24 h, guardian, care, views, BID."""

from __future__ import annotations

from tools.author.bpmn import Diagram
from tools.author.forms import (
    LANGUAGE_FIELDS,
    boolean,
    choice,
    date,
    form,
    integer,
    multi,
    text,
    when,
)

FILE = "child_referral.bpmn"
CPO, GUARDIAN, BID, SUP = "Child protection officer", "Guardian", "BID panel", "Supervisor"

FORMS = {
    "child_protection_notification.json": form(
        "Notify child protection",
        [
            choice(
                "notified_agency",
                "Child-protection service notified",
                [
                    ("social_services", "Social services"),
                    ("child_protection_unit", "Child protection unit"),
                    ("court", "Family court"),
                    ("other", "Other"),
                ],
            ),
            text("notification_reference", "Reference given by the service", max_length=100),
            boolean(
                "age_seriously_in_doubt",
                "Is the person's age seriously in doubt?",
                help="Only then is an age assessment done. Until it is, the person is a child.",
            ),
            text(
                "immediate_measures", "Immediate protective measures", long=True, required_text=True
            ),
        ],
        required=["notified_agency", "age_seriously_in_doubt", "immediate_measures"],
        description="Due within 24 hours of the presumption of minority.",
    ),
    "notification_overdue.json": form(
        "Child-protection notification overdue",
        [
            text(
                "follow_up_action",
                "What was done to notify child protection now?",
                long=True,
                required_text=True,
            )
        ],
        required=["follow_up_action"],
    ),
    "age_assessment.json": form(
        "Age assessment",
        [
            multi(
                "methods_used",
                "Methods used (least intrusive first)",
                [
                    ("documents", "Documents"),
                    ("interview", "Interview"),
                    ("psychosocial", "Psychosocial assessment"),
                    ("medical", "Medical examination (last resort)"),
                ],
            ),
            integer("assessed_age_min", "Lowest plausible age", minimum=0, maximum=60),
            integer("assessed_age_max", "Highest plausible age", minimum=0, maximum=60),
            boolean(
                "benefit_of_doubt_applied",
                "Was the margin of error applied in the person's favour?",
            ),
            choice("age_conclusion", "Conclusion", [("child", "A child"), ("adult", "An adult")]),
            *LANGUAGE_FIELDS,
        ],
        required=[
            "methods_used",
            "assessed_age_min",
            "assessed_age_max",
            "benefit_of_doubt_applied",
            "age_conclusion",
            "language",
            "interpreter_present",
        ],
    ),
    "guardian_appointment.json": form(
        "Appoint a guardian",
        [
            boolean("accompanying_adult_present", "Is an adult accompanying the child?"),
            choice(
                "accompanying_adult_implicated",
                "Could that adult be implicated in the trafficking?",
                [("no", "No, checked"), ("yes", "Yes"), ("unknown", "Not known yet")],
            ),
            choice(
                "representative",
                "Who represents the child?",
                [
                    ("independent_guardian", "An independent guardian"),
                    ("accompanying_adult", "The accompanying adult"),
                    ("institution", "A child-protection institution"),
                ],
            ),
            text("guardian_name", "Guardian's name or office", max_length=200, required_text=True),
            date("appointed_on", "Appointed on"),
        ],
        required=["accompanying_adult_present", "representative", "guardian_name", "appointed_on"],
        conditions=[
            when({"accompanying_adult_present": True}, require=["accompanying_adult_implicated"])
        ],
    ),
    "interim_care.json": form(
        "Interim care",
        [
            choice(
                "placement",
                "Placement",
                [
                    ("family_based", "Family-based or foster care"),
                    ("specialised_shelter", "Specialised shelter"),
                    ("relatives", "Relatives, after checks"),
                    ("supervised_independent", "Supervised independent living"),
                ],
            ),
            boolean("no_detention", "Is the placement free of detention?"),
            multi(
                "services",
                "Services arranged",
                [
                    ("health", "Health"),
                    ("psychosocial", "Psychosocial support"),
                    ("education", "Education"),
                    ("language", "Language support"),
                    ("legal", "Legal information"),
                ],
            ),
        ],
        required=["placement", "no_detention", "services"],
    ),
    "child_views.json": form(
        "The child's views",
        [
            *LANGUAGE_FIELDS,
            boolean("child_consulted", "Was the child consulted in a way suited to their age?"),
            text("child_views", "What the child said they want", long=True, required_text=True),
            choice(
                "views_on_return",
                "The child's view on going home",
                [
                    ("wants_return", "Wants to go home"),
                    ("does_not_want_return", "Does not want to go home"),
                    ("undecided", "Undecided"),
                    ("not_discussed", "Not discussed"),
                ],
            ),
        ],
        required=[
            "language",
            "interpreter_present",
            "child_consulted",
            "child_views",
            "views_on_return",
        ],
    ),
    "best_interests_determination.json": form(
        "Best-interests determination",
        [
            text("panel_members", "Panel members (roles)", max_length=500, required_text=True),
            boolean("child_views_considered", "Were the child's views given due weight?"),
            boolean(
                "risk_and_security_assessed", "Were risks and security assessed, including at home?"
            ),
            choice(
                "bid_recommendation",
                "Durable solution recommended",
                [
                    ("local_integration", "Stay and integrate here"),
                    ("return_to_family", "Return to family in the country of origin"),
                    ("third_country", "Resettlement or reunification in a third country"),
                    ("continue_interim_care", "Continue interim care and review"),
                ],
            ),
            text("bid_reasons", "Reasons", long=True, required_text=True),
        ],
        required=[
            "panel_members",
            "child_views_considered",
            "risk_and_security_assessed",
            "bid_recommendation",
            "bid_reasons",
        ],
    ),
    "bid_approval.json": form(
        "Approve the best-interests determination",
        [
            boolean("bid_approved", "Approve the determination?"),
            text("approval_comments", "Comments", long=True),
        ],
        required=["bid_approved"],
        conditions=[when({"bid_approved": False}, require=["approval_comments"])],
        description="Must be approved by someone other than its author.",
    ),
}

START = """
age_assessed_adult = False
set_case_fact('child_protection_referred', True)
"""
RECORD_AGE = """
age_assessed_adult = age_seriously_in_doubt == True and age_conclusion == 'adult'
if age_assessed_adult:
    set_case_fact('is_child', False)
    set_case_fact('age_assessed_adult', True)
"""
RECORD_BID = """
set_case_fact('bid_approved', True)
set_case_fact('bid_recommendation', bid_recommendation)
set_case_fact('risk_and_security_assessed', risk_and_security_assessed)
"""


def diagram() -> Diagram:
    d = Diagram("child_referral_definitions")
    p = d.process("child_referral", "Child referral", [(CPO, 3), (GUARDIAN, 1), (BID, 1), (SUP, 1)])
    p.documentation = (
        "Started at once when a possible child is presumed a victim; no consent is needed. "
        "Notification is due in 24 hours; a guardian is appointed straight away; age is assessed "
        "only when seriously in doubt. A best-interests determination is approved by someone "
        "other than its author."
    )
    p.start("child_start", "Presumed child", CPO, 0)
    p.script("mark_child_referral", "Note the referral", CPO, 1, script=START)
    p.par("split_first_steps", CPO, 2)
    p.user(
        "notify_child_protection",
        "Notify child protection",
        CPO,
        3,
        form="child_protection_notification.json",
        instructions="Within 24 hours.",
    )
    p.boundary_timer(
        "notification_due", "Due in 24 hours", "notify_child_protection", duration='"PT24H"'
    )
    p.user(
        "notification_overdue",
        "Child-protection notification overdue",
        SUP,
        4,
        form="notification_overdue.json",
    )
    p.end("notification_escalated", "Escalated", SUP, 5)
    p.user(
        "appoint_guardian",
        "Appoint a guardian",
        CPO,
        3,
        1,
        form="guardian_appointment.json",
        props={
            "guard.not_implicated": "representative != 'accompanying_adult' or accompanying_adult_implicated == 'no'",
            "guard.not_implicated.message": "An accompanying adult may represent the child only after checking they are not implicated in the trafficking.",
        },
    )
    p.par("join_first_steps", CPO, 5)
    p.xor("age_doubt_gw", "Age seriously in doubt?", CPO, 6, default="flow_age_not_in_doubt")
    p.user(
        "age_assessment",
        "Age assessment",
        CPO,
        7,
        2,
        form="age_assessment.json",
        props={
            "guard.benefit_of_doubt": "benefit_of_doubt_applied == True and (age_conclusion == 'child' or assessed_age_min >= 18)",
            "guard.benefit_of_doubt.message": "Give the benefit of the doubt: a person is assessed as an adult only if even the lowest plausible age is 18 or over.",
        },
    )
    p.xor("merge_age", "", CPO, 8)
    p.script("record_age", "Record the age finding", CPO, 9, script=RECORD_AGE)
    p.xor("adult_gw", "Assessed as an adult?", CPO, 10, default="flow_child_confirmed")
    p.end("assessed_adult", "Assessed as an adult", CPO, 11, 2)
    p.par("split_care", CPO, 12)
    p.user(
        "interim_care",
        "Arrange interim care",
        CPO,
        13,
        form="interim_care.json",
        props={
            "guard.no_detention": "no_detention == True",
            "guard.no_detention.message": "A child's placement may never amount to detention.",
        },
    )
    p.user(
        "record_child_views",
        "Hear and record the child's views",
        GUARDIAN,
        13,
        form="child_views.json",
    )
    p.par("join_care", CPO, 14)
    p.xor("merge_bid", "", BID, 15)
    p.user(
        "best_interests_determination",
        "Best-interests determination",
        BID,
        16,
        form="best_interests_determination.json",
    )
    p.user(
        "approve_bid",
        "Approve the determination",
        BID,
        17,
        form="bid_approval.json",
        props={"differentUserThan": "best_interests_determination"},
    )
    p.xor("bid_gw", "Approved?", BID, 18, default="flow_bid_rework")
    p.script("record_bid", "Record the approved determination", CPO, 19, script=RECORD_BID)
    p.end("child_protection_in_place", "Child protection in place", CPO, 20)

    p.chain("child_start", "mark_child_referral", "split_first_steps")
    for task in ("notify_child_protection", "appoint_guardian"):
        p.flow("split_first_steps", task)
        p.flow(task, "join_first_steps")
    p.flow("notification_due", "notification_overdue")
    p.flow("notification_overdue", "notification_escalated")
    p.flow("join_first_steps", "age_doubt_gw")
    p.flow("age_doubt_gw", "age_assessment", "Yes", "age_seriously_in_doubt == True")
    p.flow("age_doubt_gw", "merge_age", "No", fid="flow_age_not_in_doubt")
    p.flow("age_assessment", "merge_age")
    p.chain("merge_age", "record_age", "adult_gw")
    p.flow("adult_gw", "assessed_adult", "Yes", "age_assessed_adult == True")
    p.flow("adult_gw", "split_care", "No", fid="flow_child_confirmed")
    for task in ("interim_care", "record_child_views"):
        p.flow("split_care", task)
        p.flow(task, "join_care")
    p.chain("join_care", "merge_bid", "best_interests_determination", "approve_bid", "bid_gw")
    p.flow("bid_gw", "record_bid", "Yes", "bid_approved == True")
    p.flow("bid_gw", "merge_bid", "No: revise", fid="flow_bid_rework")
    p.flow("record_bid", "child_protection_in_place")
    return d
