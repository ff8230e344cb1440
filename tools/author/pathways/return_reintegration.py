"""Return and reintegration: voluntary return only when safe and allowed, then monitoring."""

from __future__ import annotations

from tools.author.bpmn import Diagram
from tools.author.forms import LANGUAGE_FIELDS, boolean, choice, date, form, multi, text

FILE = "return_reintegration.bpmn"
RO, CW, RIO, SUP = "Return officer", "Caseworker", "Reintegration officer", "Supervisor"

FORMS = {
    "return_request.json": form(
        "Voluntary return request",
        [
            *LANGUAGE_FIELDS,
            boolean("return_voluntary", "Does the person ask to return of their own free will?"),
            boolean(
                "return_options_explained", "Were the alternatives (staying, relocation) explained?"
            ),
            text("destination", "Country and place of return", max_length=200, required_text=True),
        ],
        required=[
            "language",
            "interpreter_present",
            "return_voluntary",
            "return_options_explained",
            "destination",
        ],
    ),
    "return_risk_assessment.json": form(
        "Risk assessment before return",
        [
            multi(
                "return_risks",
                "Risks on return",
                [
                    ("retaliation", "Retaliation by traffickers"),
                    ("re_trafficking", "Re-trafficking"),
                    ("stigma", "Stigma or rejection"),
                    ("inadequate_support", "Inadequate support at origin"),
                    ("none_identified", "None identified"),
                ],
            ),
            choice(
                "return_risk_level",
                "Overall risk",
                [("low", "Low"), ("medium", "Medium"), ("high", "High")],
            ),
            boolean("safe_to_return", "Is return safe?"),
            text("risk_reasons", "Reasons", long=True, required_text=True),
        ],
        required=["return_risks", "return_risk_level", "safe_to_return", "risk_reasons"],
    ),
    "alternative_solution.json": form(
        "Residence or relocation instead of return",
        [
            choice(
                "alternative",
                "Solution",
                [
                    ("residence", "Residence here"),
                    ("third_country", "Relocation to a third country"),
                ],
            ),
            text("alternative_plan", "Plan", long=True, required_text=True),
        ],
        required=["alternative", "alternative_plan"],
    ),
    "return_schedule.json": form(
        "Schedule the return",
        [
            date("departure_date", "Departure date"),
            text(
                "receiving_agency",
                "Receiving agency or shelter at origin",
                max_length=200,
                required_text=True,
            ),
            boolean("escort_needed", "Is an escort needed?"),
        ],
        required=["departure_date", "receiving_agency", "escort_needed"],
    ),
    "travel_documents.json": form(
        "Travel documents",
        [
            choice(
                "document_type",
                "Document",
                [
                    ("own_passport", "Own passport"),
                    ("emergency_travel_document", "Emergency travel document"),
                    ("laissez_passer", "Laissez-passer"),
                ],
            ),
            date("documents_ready_on", "Ready on"),
        ],
        required=["document_type", "documents_ready_on"],
    ),
    "pre_departure.json": form(
        "Pre-departure assistance",
        [
            boolean("counselling_given", "Pre-departure counselling given?"),
            boolean("medical_fit_to_travel", "Fit to travel?"),
            multi(
                "reintegration_support_planned",
                "Support planned at origin",
                [
                    ("financial", "Financial support"),
                    ("small_business", "Small business grant or loan"),
                    ("skills_training", "Skills training"),
                    ("employment", "Employment guidance"),
                    ("education", "Education"),
                    ("housing", "Housing"),
                    ("medical", "Medical care"),
                    ("family_reunification", "Family reunification"),
                ],
            ),
        ],
        required=["counselling_given", "medical_fit_to_travel", "reintegration_support_planned"],
    ),
    "return_confirmation.json": form(
        "Confirm the return",
        [
            date("returned_on", "Arrived on"),
            boolean("received_by_partner", "Was the person met by the receiving agency?"),
        ],
        required=["returned_on", "received_by_partner"],
    ),
    "reintegration_plan.json": form(
        "Reintegration plan",
        [
            multi(
                "reintegration_support",
                "Support agreed",
                [
                    ("financial", "Financial support"),
                    ("small_business", "Small business grant or loan"),
                    ("skills_training", "Skills training"),
                    ("employment", "Employment guidance"),
                    ("education", "Education"),
                    ("housing", "Housing"),
                    ("medical", "Medical care"),
                    ("psychosocial", "Psychosocial support"),
                    ("family_reunification", "Family reunification"),
                ],
            ),
            text("plan_summary", "Plan agreed with the person", long=True, required_text=True),
            *LANGUAGE_FIELDS,
        ],
        required=["reintegration_support", "plan_summary", "language", "interpreter_present"],
        description="Due within 30 days of return.",
    ),
    "reintegration_plan_overdue.json": form(
        "Reintegration plan overdue",
        [text("follow_up_action", "What was done?", long=True, required_text=True)],
        required=["follow_up_action"],
    ),
    "monitoring_check_in.json": form(
        "Post-return check-in",
        [
            choice(
                "contact_made",
                "Contact",
                [
                    ("in_person", "In person"),
                    ("phone", "By phone"),
                    ("not_reached", "Could not be reached"),
                ],
            ),
            choice(
                "wellbeing",
                "How is the person doing?",
                [("stable", "Stable"), ("some_concerns", "Some concerns"), ("at_risk", "At risk")],
            ),
            boolean("signs_of_re_trafficking", "Any sign of re-trafficking or threats?"),
            text("check_in_notes", "Notes", long=True),
        ],
        required=["contact_made", "wellbeing", "signs_of_re_trafficking"],
    ),
    "missed_check_in.json": form(
        "Missed check-in",
        [
            text(
                "follow_up_action",
                "What was done to reach the person?",
                long=True,
                required_text=True,
            )
        ],
        required=["follow_up_action"],
        description="A check-in is a week late.",
    ),
    "reintegration_closure.json": form(
        "Close monitoring",
        [
            choice(
                "reintegration_outcome",
                "Outcome",
                [
                    ("reintegrated", "Reintegrated"),
                    ("partially", "Partially reintegrated"),
                    ("lost_contact", "Contact lost"),
                    ("re_trafficked", "Re-trafficked"),
                ],
            ),
            text("closure_notes", "Notes", long=True),
        ],
        required=["reintegration_outcome"],
    ),
}

SET_RETURN = """
checkin_schedule = data.get('monitoring_schedule_months', [1, 3, 6, 12])
checkin_index = 0
set_case_fact('returned', True)
set_case_fact('returned_on', returned_on)
"""
NEXT_CHECK_IN = """
checkin_index = checkin_index + 1
"""

RETURN_GUARDS = {
    "guard.reflection": "not case.get('reflection_started', False) or case.get('reflection_over', False)",
    "guard.reflection.message": "No return or removal can be scheduled while the reflection and recovery period runs.",
    "guard.asylum": "not case.get('asylum_pending', False)",
    "guard.asylum.message": "No return while an asylum claim is pending.",
    "guard.non_refoulement": "not case.get('non_refoulement', False)",
    "guard.non_refoulement.message": "Non-refoulement is flagged: there is a real risk of persecution or serious harm on return.",
    "guard.child_bid": "not case.get('is_child', False) or (case.get('bid_approved', False) and case.get('bid_recommendation') == 'return_to_family')",
    "guard.child_bid.message": "A child may return only when an approved best-interests determination recommends it.",
    "guard.risk_assessed": "safe_to_return == True",
    "guard.risk_assessed.message": "Return needs a risk assessment that found it safe.",
}


def diagram() -> Diagram:
    d = Diagram("return_reintegration_definitions")
    p = d.process(
        "return_reintegration", "Return and reintegration", [(RO, 1), (CW, 2), (RIO, 2), (SUP, 2)]
    )
    p.documentation = (
        "Voluntary where possible, after a risk assessment; never during the reflection period, "
        "while asylum is pending or non-refoulement is flagged, nor for a child without an approved "
        "best-interests determination recommending it. A reintegration plan is due 30 days after "
        "return; check-ins follow at 1, 3, 6 and 12 months (monitoring_schedule_months in the start "
        "data changes this); a check-in 7 days late escalates to a supervisor."
    )
    p.start("return_start", "Return requested", RO, 0)
    p.user("request_return", "Record the return request", RO, 1, form="return_request.json")
    p.user(
        "return_risk_assessment",
        "Risk assessment before return",
        CW,
        2,
        form="return_risk_assessment.json",
    )
    p.xor("safe_gw", "Safe to return?", CW, 3, default="flow_unsafe")
    p.user(
        "alternative_solution",
        "Residence or relocation instead",
        CW,
        4,
        1,
        form="alternative_solution.json",
    )
    p.end("alternative_chosen", "Alternative solution", CW, 5, 1)
    p.user(
        "schedule_return",
        "Schedule the return",
        RO,
        4,
        form="return_schedule.json",
        props=RETURN_GUARDS,
    )
    p.user(
        "travel_documents",
        "Travel documents",
        RO,
        5,
        form="travel_documents.json",
        props={
            "guard.non_refoulement": "not case.get('non_refoulement', False)",
            "guard.non_refoulement.message": "Never approach the country-of-origin mission while non-refoulement is flagged.",
        },
    )
    p.user("pre_departure_assistance", "Pre-departure assistance", RO, 6, form="pre_departure.json")
    p.user("confirm_return", "Confirm the return", RO, 7, form="return_confirmation.json")
    p.script("set_return_schedule", "Plan monitoring", RIO, 8, script=SET_RETURN)
    p.par("split_after_return", RIO, 9)
    p.user(
        "reintegration_plan", "Agree a reintegration plan", RIO, 10, form="reintegration_plan.json"
    )
    p.boundary_timer(
        "plan_due",
        "Due 30 days after return",
        "reintegration_plan",
        date="add_days(returned_on, 30)",
    )
    p.user(
        "reintegration_plan_overdue",
        "Reintegration plan overdue",
        SUP,
        11,
        form="reintegration_plan_overdue.json",
    )
    p.end("plan_escalated", "Escalated", SUP, 12)
    p.xor("merge_check_ins", "", RIO, 10, 1)
    p.timer(
        "next_check_in_due",
        "Next check-in",
        RIO,
        11,
        1,
        date="add_months(returned_on, checkin_schedule[checkin_index])",
    )
    p.user(
        "monitoring_check_in", "Post-return check-in", RIO, 12, 1, form="monitoring_check_in.json"
    )
    p.boundary_timer(
        "check_in_late",
        "A week late",
        "monitoring_check_in",
        date="add_days(add_months(returned_on, checkin_schedule[checkin_index]), 7)",
    )
    p.user("missed_check_in", "Missed check-in", SUP, 13, 1, form="missed_check_in.json")
    p.end("check_in_escalated", "Escalated", SUP, 14, 1)
    p.script("count_check_in", "Next in the schedule", RIO, 13, 1, script=NEXT_CHECK_IN)
    p.xor("more_check_ins_gw", "More check-ins?", RIO, 14, 1, default="flow_monitoring_done")
    p.par("join_after_return", RIO, 15)
    p.user("close_reintegration", "Close monitoring", RIO, 16, form="reintegration_closure.json")
    p.end("reintegration_done", "Monitoring closed", RIO, 17)

    p.chain("return_start", "request_return", "return_risk_assessment", "safe_gw")
    p.flow("safe_gw", "schedule_return", "Yes", "safe_to_return == True")
    p.flow("safe_gw", "alternative_solution", "No", fid="flow_unsafe")
    p.flow("alternative_solution", "alternative_chosen")
    p.chain(
        "schedule_return",
        "travel_documents",
        "pre_departure_assistance",
        "confirm_return",
        "set_return_schedule",
        "split_after_return",
    )
    p.flow("split_after_return", "reintegration_plan")
    p.flow("reintegration_plan", "join_after_return")
    p.flow("plan_due", "reintegration_plan_overdue")
    p.flow("reintegration_plan_overdue", "plan_escalated")
    p.flow("split_after_return", "merge_check_ins")
    p.chain(
        "merge_check_ins",
        "next_check_in_due",
        "monitoring_check_in",
        "count_check_in",
        "more_check_ins_gw",
    )
    p.flow("check_in_late", "missed_check_in")
    p.flow("missed_check_in", "check_in_escalated")
    p.flow("more_check_ins_gw", "merge_check_ins", "Yes", "checkin_index < len(checkin_schedule)")
    p.flow("more_check_ins_gw", "join_after_return", "No", fid="flow_monitoring_done")
    p.chain("join_after_return", "close_reintegration", "reintegration_done")
    return d
