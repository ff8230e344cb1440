"""The forms of identification and verification: screening indicators, consent, assistance,
interviews, decisions and recovery."""

from __future__ import annotations

from engine.rules.ilo_ec import CATALOGUE, Dimension
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

DIMENSION_TITLES = {
    Dimension.DECEPTIVE_RECRUITMENT: "Recruitment: deception",
    Dimension.COERCIVE_RECRUITMENT: "Recruitment: force or coercion",
    Dimension.ABUSIVE_RECRUITMENT: "Recruitment: abuse of a vulnerable situation",
    Dimension.EXPLOITATION: "Signs of exploitation",
    Dimension.COERCION_AT_DESTINATION: "Control: coercion where exploited",
    Dimension.ABUSE_AT_DESTINATION: "Control: abuse of a vulnerable situation where exploited",
}
INDICATOR_FIELDS = {d: f"indicators_{d.value}" for d in Dimension}

EXPLOITATION_FORMS = [
    ("forced_labour", "Forced labour or services"),
    ("sexual_exploitation", "Prostitution or other sexual exploitation"),
    ("domestic_servitude", "Domestic servitude"),
    ("forced_marriage", "Forced, servile or early marriage"),
    ("organ_removal", "Organ removal"),
    ("begging_criminal_activities", "Forced begging or criminal activities"),
    ("other", "Other or not yet known"),
]


def _indicator_field(dimension: Dimension):
    options = [(i.id, i.label) for i in CATALOGUE if i.dimension == dimension]
    return multi(
        INDICATOR_FIELDS[dimension],
        DIMENSION_TITLES[dimension],
        options,
        help="Tick every sign you observed or were told about.",
    )


FORMS = {
    "screening.json": form(
        "First-contact screening",
        [
            date("contact_date", "Date of contact"),
            choice(
                "contact_setting",
                "Where did you meet the person?",
                [
                    ("police", "Police or immigration"),
                    ("labour_inspection", "Labour inspection"),
                    ("health", "Health service"),
                    ("ngo_outreach", "NGO outreach or hotline"),
                    ("border_transport", "Border, airport or transport"),
                    ("other", "Other"),
                ],
            ),
            text(
                "alias",
                "Name or alias the person uses",
                help="Stored encrypted. Only what the person agrees to give.",
                max_length=200,
            ),
            choice(
                "sex",
                "Sex",
                [
                    ("female", "Female"),
                    ("male", "Male"),
                    ("other", "Other"),
                    ("not_stated", "Not stated"),
                ],
            ),
            choice(
                "age_known",
                "Is the person's age known?",
                [("known", "Yes, age is known"), ("uncertain", "No, age is uncertain")],
            ),
            integer("age", "Age in years", minimum=0, maximum=120),
            boolean(
                "may_be_under_18",
                "Could the person be under 18?",
                help="If in any doubt, answer yes: a possible child is treated as a child.",
            ),
            *[_indicator_field(d) for d in Dimension],
            multi("forms_of_exploitation", "Forms of exploitation suspected", EXPLOITATION_FORMS),
            boolean("immediate_safety_risk", "Is the person in immediate danger?"),
            text("safety_risk_details", "What is the danger?", long=True),
            boolean("needs_interpreter", "Does the person need an interpreter?"),
            text(
                "language",
                "Language the person understands best",
                max_length=100,
                required_text=True,
            ),
            boolean(
                "asylum_indicators", "Does the person fear persecution or serious harm if returned?"
            ),
            text(
                "observations",
                "What you observed",
                long=True,
                help="Facts only. Do not write the person's full name here.",
            ),
        ],
        required=[
            "contact_date",
            "contact_setting",
            "age_known",
            "immediate_safety_risk",
            "needs_interpreter",
            "language",
            "asylum_indicators",
        ],
        conditions=[
            when({"age_known": "known"}, require=["age"]),
            when({"age_known": "uncertain"}, require=["may_be_under_18"]),
            when({"immediate_safety_risk": True}, require=["safety_risk_details"]),
        ],
        description="What you saw and heard at first contact. Answer what you can; the "
        "presumption rule uses the signs you tick.",
    ),
    "not_presumed.json": form(
        "Not presumed a victim: reason and other help",
        [
            text(
                "not_presumed_reason",
                "Why is the person not presumed a victim?",
                long=True,
                required_text=True,
            ),
            choice(
                "alternative_referral",
                "Other help offered",
                [
                    ("labour_rights", "Labour rights organisation"),
                    ("migrant_support", "Migrant support"),
                    ("health", "Health service"),
                    ("legal_aid", "Legal aid"),
                    ("none_wanted", "None wanted"),
                    ("other", "Other"),
                ],
            ),
            boolean(
                "information_given", "Was the person given contacts to come back if things change?"
            ),
        ],
        required=["not_presumed_reason", "alternative_referral", "information_given"],
    ),
    "consent_to_referral.json": form(
        "Consent to referral and sharing",
        [
            *LANGUAGE_FIELDS,
            boolean(
                "consent_explained",
                "Were the referral, who will receive information, and the "
                "right to refuse explained?",
            ),
            boolean("consent_services", "Does the person agree to be referred for assistance?"),
            boolean(
                "consent_disclosure",
                "Does the person agree that needed information is shared "
                "with the receiving organisations?",
            ),
            boolean(
                "consent_reporting",
                "Does the person agree that anonymous statistics include their case?",
            ),
        ],
        required=[
            "language",
            "interpreter_present",
            "consent_explained",
            "consent_services",
            "consent_disclosure",
            "consent_reporting",
        ],
        description="Adults decide whether they are referred. Children are referred to child "
        "protection without consent.",
    ),
    "consent_override.json": form(
        "Decide on a referral without consent",
        [
            boolean(
                "consent_overridden",
                "Refer without the person's consent?",
                help="Only where the person is at serious risk. The decision and your reason "
                "are recorded in the audit trail.",
            ),
            text("override_reason", "Reason", long=True),
            boolean("person_informed_of_decision", "Was the person told of this decision?"),
        ],
        required=["consent_overridden", "person_informed_of_decision"],
        conditions=[when({"consent_overridden": True}, require=["override_reason"])],
    ),
    "safety_risk_plan.json": form(
        "Safety and risk plan",
        [
            choice(
                "risk_level",
                "Risk to the person's safety",
                [("low", "Low"), ("medium", "Medium"), ("high", "High")],
            ),
            multi(
                "risk_sources",
                "Where does the risk come from?",
                [
                    ("traffickers", "Traffickers or their associates"),
                    ("family", "Family or community"),
                    ("debt", "Debt collectors"),
                    ("self_harm", "Self-harm"),
                    ("other", "Other"),
                ],
            ),
            text("safety_measures", "Agreed safety measures", long=True, required_text=True),
            date("review_on", "Review the plan on"),
        ],
        required=["risk_level", "safety_measures", "review_on"],
    ),
    "information_on_rights.json": form(
        "Information on rights",
        [
            *LANGUAGE_FIELDS,
            boolean("informed_orally", "Was the person told their rights orally?"),
            boolean("written_copy_given", "Was a written copy given in that language?"),
            choice(
                "rights_sheet_language",
                "Language of the printed rights sheet handed over",
                [
                    ("en", "English"),
                    ("th", "Thai"),
                    ("vi", "Vietnamese"),
                    ("none", "None available in the person's language (explained orally)"),
                ],
                help="The case page prints the sheet in this language.",
            ),
            multi(
                "topics_covered",
                "What was explained",
                [
                    ("assistance", "Assistance and services"),
                    ("reflection", "Reflection and recovery period"),
                    ("residence", "Residence options"),
                    ("legal", "Legal proceedings and counsel"),
                    ("compensation", "Compensation"),
                    ("return", "Voluntary return"),
                    ("asylum", "Asylum"),
                ],
            ),
        ],
        required=[
            "language",
            "interpreter_present",
            "informed_orally",
            "written_copy_given",
            "topics_covered",
        ],
    ),
    "accommodation.json": form(
        "Safe accommodation",
        [
            choice(
                "accommodation_type",
                "Accommodation",
                [
                    ("shelter", "Specialised shelter"),
                    ("safe_house", "Safe house"),
                    ("community", "Community or family-based"),
                    ("own", "Own arrangement"),
                    ("declined", "Declined by the person"),
                ],
            ),
            boolean(
                "freedom_of_movement",
                "Can the person come and go freely?",
                help="Accommodation must never amount to detention.",
            ),
            boolean("food_and_clothing", "Food and clothing provided?"),
        ],
        required=["accommodation_type", "freedom_of_movement", "food_and_clothing"],
    ),
    "medical_psychological.json": form(
        "Medical and psychological assistance",
        [
            boolean("medical_check_offered", "Was a medical check offered?"),
            boolean("psychological_support_offered", "Was psychological support offered?"),
            text("urgent_needs", "Urgent health needs", long=True),
            *LANGUAGE_FIELDS,
        ],
        required=[
            "medical_check_offered",
            "psychological_support_offered",
            "language",
            "interpreter_present",
        ],
    ),
    "initial_interview.json": form(
        "Initial interview",
        [
            *LANGUAGE_FIELDS,
            boolean("purpose_explained", "Were the purpose, procedure and consequences explained?"),
            boolean(
                "preferences_respected",
                "Were the person's preferences (e.g. interviewer's gender) asked and respected?",
            ),
            text("account_summary", "Summary of the person's account", long=True, max_length=8000),
            multi(
                "assistance_needs",
                "Assistance needs",
                [
                    ("shelter", "Shelter"),
                    ("medical", "Medical"),
                    ("psychological", "Psychological"),
                    ("legal", "Legal"),
                    ("financial", "Financial"),
                    ("family", "Family contact"),
                    ("education", "Education or training"),
                ],
            ),
            multi(
                "relationship_to_recruiter",
                "Who recruited or controlled the person?",
                [
                    ("intimate_partner", "Intimate partner"),
                    ("family", "Family member"),
                    ("friend", "Friend or acquaintance"),
                    ("employer", "Employer or agent"),
                    ("stranger", "Someone the person did not know"),
                    ("unknown", "Not known or not said"),
                ],
                help="Asked only if the person is ready to talk about it; used in anonymised statistics.",
            ),
            boolean(
                "interview_asylum_indicators",
                "Are there signs the person may need international protection (asylum)?",
            ),
            boolean(
                "origin_mission_not_contacted",
                "Confirm the person's country-of-origin mission was not contacted",
                help="Never contact it for a person who has claimed asylum or may be a refugee.",
            ),
        ],
        required=[
            "language",
            "interpreter_present",
            "purpose_explained",
            "preferences_respected",
            "interview_asylum_indicators",
            "origin_mission_not_contacted",
        ],
    ),
    "reasonable_grounds_decision.json": form(
        "Reasonable-grounds decision",
        [
            boolean(
                "rg_positive",
                "Are there reasonable grounds to believe the person is a victim of trafficking?",
            ),
            text("rg_reasons", "Reasons", long=True, required_text=True),
            integer(
                "reflection_days",
                "Reflection and recovery period (days)",
                minimum=30,
                maximum=90,
                help="At least 30 days (default 30, up to 90).",
            ),
        ],
        required=["rg_positive", "rg_reasons"],
        conditions=[when({"rg_positive": True}, require=["reflection_days"])],
    ),
    "rg_decision_overdue.json": form(
        "Reasonable-grounds decision overdue",
        [
            text(
                "follow_up_action",
                "What was done to get the decision made?",
                long=True,
                required_text=True,
            )
        ],
        required=["follow_up_action"],
    ),
    "negative_rg.json": form(
        "Negative reasonable-grounds decision: next steps",
        [
            boolean(
                "person_informed",
                "Was the person informed of the decision and how to ask for a review?",
            ),
            choice(
                "next_step",
                "Next step",
                [
                    ("review_requested", "Review requested"),
                    ("other_support", "Referred to other support"),
                    ("no_further_action", "No further action"),
                ],
            ),
        ],
        required=["person_informed", "next_step"],
    ),
    "reflection_review.json": form(
        "Reflection period: extend or let it end",
        [
            boolean("extend_reflection", "Extend the reflection and recovery period?"),
            integer("extension_days", "Extra days", minimum=1, maximum=90),
            text(
                "extension_reason",
                "Reason for the extension",
                long=True,
                help="Required: an extension is always recorded with its reason.",
            ),
        ],
        required=["extend_reflection"],
        conditions=[
            when({"extend_reflection": True}, require=["extension_days", "extension_reason"])
        ],
    ),
    "formal_interview.json": form(
        "Formal interview",
        [
            *LANGUAGE_FIELDS,
            boolean("purpose_explained", "Were the purpose, procedure and consequences explained?"),
            text("refined_needs", "Needs identified or refined", long=True),
            boolean(
                "wishes_to_cooperate",
                "Does the person wish to cooperate with an investigation?",
                help="Assistance never depends on this.",
            ),
        ],
        required=["language", "interpreter_present", "purpose_explained", "wishes_to_cooperate"],
    ),
    "conclusive_decision.json": form(
        "Conclusive decision",
        [
            boolean("conclusive_positive", "Is the person confirmed as a victim of trafficking?"),
            text("conclusive_reasons", "Reasons", long=True, required_text=True),
        ],
        required=["conclusive_positive", "conclusive_reasons"],
        description="Cannot be recorded earlier than 30 days after the reflection period began. "
        "A failed prosecution does not mean a person is not a victim.",
    ),
    "negative_conclusive.json": form(
        "Negative conclusive decision: next steps",
        [
            boolean(
                "person_informed",
                "Was the person informed, in a language understood, with review options?",
            ),
            text("other_protection", "Other protection needs and referrals", long=True),
        ],
        required=["person_informed"],
    ),
    "residence_status.json": form(
        "Residence status",
        [
            choice(
                "permit_type",
                "Residence permit",
                [
                    ("none_needed", "None needed (national or resident)"),
                    ("temporary_recovery", "Temporary, for recovery"),
                    ("temporary_cooperation", "Temporary, while cooperating with proceedings"),
                    ("humanitarian", "Humanitarian"),
                    ("permanent", "Permanent, return unsafe"),
                    ("refused", "Refused"),
                ],
            ),
            date("permit_expires_on", "Permit expires on"),
            boolean("return_unsafe", "Is return to the country of origin unsafe?"),
        ],
        required=["permit_type", "return_unsafe"],
        conditions=[
            when({"permit_type": "temporary_recovery"}, require=["permit_expires_on"]),
            when({"permit_type": "temporary_cooperation"}, require=["permit_expires_on"]),
            when({"permit_type": "humanitarian"}, require=["permit_expires_on"]),
        ],
    ),
    "renew_permit.json": form(
        "Renew the residence permit",
        [
            boolean("renewal_applied", "Was renewal applied for?"),
            date("renewal_applied_on", "Applied on"),
            text("renewal_notes", "Notes", long=True),
        ],
        required=["renewal_applied"],
        conditions=[when({"renewal_applied": True}, require=["renewal_applied_on"])],
        description="Due 90 days before the permit expires.",
    ),
    "family_tracing.json": form(
        "Family tracing and reunification",
        [
            boolean("tracing_requested", "Does the person want their family traced?"),
            choice(
                "family_complicity",
                "Were family members involved in the trafficking?",
                [("no", "No"), ("yes", "Yes"), ("unknown", "Not known")],
            ),
            boolean("reunification_safe", "Is reunification safe and wanted?"),
        ],
        required=["tracing_requested", "family_complicity", "reunification_safe"],
    ),
    "move_on_review.json": form(
        "Move-on support review",
        [
            boolean("recovery_needs_assessed", "Have recovery needs been assessed?"),
            text("move_on_plan", "Move-on plan", long=True, required_text=True),
        ],
        required=["recovery_needs_assessed", "move_on_plan"],
        description="At least 45 days of move-on support follow a positive conclusive decision.",
    ),
}
