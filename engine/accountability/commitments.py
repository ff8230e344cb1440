"""The ten protection commitments of the guide ("Coordination"), judged from a case's history.

Each rule reads only completed tasks, their answers and case facts, so the
record cannot be typed by hand or drift from what happened. A commitment is
*met* (with the steps that prove it), *not yet* (with the date it was expected
by, when the pathway says so), or *not applicable* (with the step that made it
so: the person was not presumed a victim, declined referral, never entered
criminal proceedings...). Expected times are the guide's "immediately" and the
pathways' own deadlines, turned into days here so oversight can list what is late.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from engine.accountability import evidence_map
from engine.accountability.history import CaseHistory, Step
from engine.clock import parse_instant


class Judgement(StrEnum):
    MET = "met"
    NOT_YET = "not yet"
    NOT_APPLICABLE = "not applicable"


# Days after the event that makes a commitment apply.
IMMEDIATE_DAYS = 2
INFORMED_DAYS = 3
REFLECTION_DAYS = 7
CONSULTATION_DAYS = 14
AFTER_HEARING_DAYS = 30
AFTER_TRIAL_DAYS = 14
COMPENSATION_DAYS = 30

# Steps by the names engine/data/commitments.toml gives them: the map is the one place that
# names them by BPMN id, and what every deployment is checked against.
_MAP = evidence_map.shipped()
SCREENING = _MAP.id("screening")
CONSENT_OVERRIDE = _MAP.ids("consent_override")
INITIAL_ASSISTANCE = _MAP.ids("initial_assistance")
ACCOMMODATION = _MAP.ids("accommodation")
RIGHTS = _MAP.id("rights")
RG_DECISION = _MAP.id("rg_decision")
WITNESS_RISK = _MAP.id("witness_risk")
RETURN_RISK = _MAP.id("return_risk")
SAFETY_PLAN = _MAP.id("safety_plan")
PRETRIAL_INFORMATION = _MAP.id("pretrial_information")
PREPARE_WITNESS = _MAP.id("prepare_witness")
SCHEDULE_HEARING = _MAP.id("schedule_hearing")
ACCOMPANY_HEARING = _MAP.id("accompany_hearing")
POST_TRIAL_INFORMATION = _MAP.id("post_trial_information")
COMPENSATION_STEPS = _MAP.ids("compensation")
REVISE_PLAN = _MAP.id("revise_plan")
CRIMINAL_JUSTICE = _MAP.pathways["criminal_justice"]
RETURN = _MAP.pathways["return"]


def fill(text: str, params: tuple[tuple[str, object], ...], word=str) -> str:
    """``text`` with its ``%(name)s`` places filled; ``word`` renders each value (the web
    passes its translation), a list of values reads as "a, b"."""
    if not params:
        return text
    values = {
        name: ", ".join(word(v) for v in value) if isinstance(value, tuple) else word(value)
        for name, value in params
    }
    return text % values


@dataclass(frozen=True)
class Evidence:
    """A step that shows a commitment kept, with an optional note.

    ``note`` is a fixed English sentence with ``%(name)s`` places for ``params`` (what the
    person recorded), so the pages translate the sentence and fill in the values.
    """

    title: str
    actor: str
    at: datetime
    note: str = ""
    params: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, step: Step, note: str = "", **params: object) -> Evidence:
        return cls(step.title, step.actor, step.at, note, tuple(sorted(params.items())))

    def text(self) -> str:
        """The note in English, filled in (the CLI, the API, exports)."""
        return fill(self.note, self.params)


@dataclass(frozen=True)
class CommitmentStatus:
    """A rule's judgement; :func:`record` names the commitment it belongs to."""

    status: str
    explanation: str
    evidence: tuple[Evidence, ...] = ()
    expected_by: datetime | None = None
    key: str = ""
    title: str = ""
    params: tuple[tuple[str, object], ...] = ()  # for ``%(name)s`` places in the explanation

    def text(self) -> str:
        """The explanation in English, filled in (the CLI, the API, exports)."""
        return fill(self.explanation, self.params)

    def overdue(self, now: datetime) -> bool:
        return (
            self.status == Judgement.NOT_YET
            and self.expected_by is not None
            and now > self.expected_by
        )


@dataclass(frozen=True)
class Commitment:
    key: str
    title: str
    judge: Callable[[CaseHistory], CommitmentStatus] = field(repr=False)


def met(explanation: str, *steps: Step | Evidence) -> CommitmentStatus:
    return CommitmentStatus(Judgement.MET, explanation, _evidence(steps))


def not_yet(
    explanation: str, expected_by: datetime | None = None, *steps: Step
) -> CommitmentStatus:
    return CommitmentStatus(Judgement.NOT_YET, explanation, _evidence(steps), expected_by)


def not_applicable(explanation: str, *steps: Step) -> CommitmentStatus:
    return CommitmentStatus(Judgement.NOT_APPLICABLE, explanation, _evidence(steps))


def _evidence(items) -> tuple[Evidence, ...]:
    return tuple(i if isinstance(i, Evidence) else Evidence.of(i) for i in items if i is not None)


def _after(step: Step, days: int) -> datetime:
    return step.at + timedelta(days=days)


# -- when the presumption-based commitments apply -----------------------------------------


def _presumption_gate(h: CaseHistory) -> CommitmentStatus | Step:
    """The screening step when the person is a presumed victim who accepted referral,
    otherwise the judgement that holds for every commitment owed from presumption on."""
    screening = h.first(SCREENING)
    if screening is None:
        return not_yet("Applies once the first-contact screening presumes a victim.")
    if not h.facts.get("presumed_victim"):
        return not_applicable("Not presumed a victim at screening.", screening)
    override = h.last(*CONSENT_OVERRIDE)
    if override is not None and override.answer("consent_overridden") is False:
        return not_applicable("The person declined referral; no override.", override)
    return screening


def _from_presumption(
    judge: Callable[[CaseHistory, Step], CommitmentStatus],
) -> Callable[[CaseHistory], CommitmentStatus]:
    def gated(h: CaseHistory) -> CommitmentStatus:
        gate = _presumption_gate(h)
        return gate if isinstance(gate, CommitmentStatus) else judge(h, gate)

    return gated


# -- the ten rules ----------------------------------------------------------------------


@_from_presumption
def _treated_as_victim(h: CaseHistory, screening: Step) -> CommitmentStatus:
    first = h.first(*INITIAL_ASSISTANCE)
    if first:
        return met("Initial assistance began without conditions.", screening, first)
    return not_yet("No assistance recorded yet.", _after(screening, IMMEDIATE_DAYS), screening)


@_from_presumption
def _informed_of_protection(h: CaseHistory, screening: Step) -> CommitmentStatus:
    told = h.last(RIGHTS)
    if told is None:
        return not_yet("Rights not yet explained.", _after(screening, INFORMED_DAYS))
    orally, written = told.answer("informed_orally"), told.answer("written_copy_given")
    if orally and written:
        language = told.answer("language", "")
        return met(
            "", Evidence.of(told, "orally and in writing, in %(language)s", language=language)
        )
    due = _after(screening, INFORMED_DAYS)
    if orally:
        return not_yet("Recorded without being informed in writing.", due, told)
    if written:
        return not_yet("Recorded without being informed orally.", due, told)
    return not_yet("Recorded without being informed orally or in writing.", due, told)


@_from_presumption
def _reflection_period(h: CaseHistory, screening: Step) -> CommitmentStatus:
    decision = h.last(RG_DECISION)
    if decision is None:
        return not_yet(
            "Waiting for the reasonable-grounds decision.", _after(screening, REFLECTION_DAYS)
        )
    if decision.answer("rg_positive") is False:
        return not_applicable("Negative reasonable-grounds decision.", decision)
    days = decision.answer("reflection_days")
    if not days:
        return met("", decision)
    return met("", Evidence.of(decision, "reflection period of %(days)s days", days=days))


@_from_presumption
def _safe_accommodation(h: CaseHistory, screening: Step) -> CommitmentStatus:
    placed = h.first(*ACCOMMODATION)
    if placed:
        return met("", placed)
    return not_yet("No accommodation recorded.", _after(screening, IMMEDIATE_DAYS))


def _partners_consulted(h: CaseHistory) -> CommitmentStatus:
    needed = [
        (p, task)
        for key, task in (
            (CRIMINAL_JUSTICE, WITNESS_RISK),
            (RETURN, RETURN_RISK),
        )
        if (p := h.pathway(key)) is not None
    ]
    if not needed:
        return not_applicable("The person neither cooperates in proceedings nor returns.")
    done = [h.last(task) for _, task in needed]
    if all(done):
        return met("Risk assessed with partners before cooperation or return.", *done)
    expected = min(
        p.started_at + timedelta(days=CONSULTATION_DAYS)
        for (p, _), d in zip(needed, done, strict=True)
        if d is None
    )
    return not_yet("Partners' risk assessment not recorded.", expected, *[d for d in done if d])


@_from_presumption
def _danger_assessed(h: CaseHistory, screening: Step) -> CommitmentStatus:
    plan = h.first(SAFETY_PLAN)
    if plan:
        level = plan.answer("risk_level", "?")
        return met("", Evidence.of(plan, "risk level %(level)s", level=level))
    return not_yet("No safety and risk plan yet.", _after(screening, IMMEDIATE_DAYS))


def _informed_of_proceedings(h: CaseHistory) -> CommitmentStatus:
    justice = h.pathway(CRIMINAL_JUSTICE)
    if justice is None:
        return not_applicable("No criminal proceedings in this case.")
    told = h.last(PRETRIAL_INFORMATION)
    if told is not None and told.answer("options_explained"):
        language = told.answer("language", "")
        later = [
            Evidence.of(s, "course of proceedings explained")
            for s in h.done(PREPARE_WITNESS, POST_TRIAL_INFORMATION)
        ]
        return met("", Evidence.of(told, "in %(language)s", language=language), *later)
    expected = justice.started_at + timedelta(days=CONSULTATION_DAYS)
    return not_yet("Options and proceedings not yet explained.", expected)


# When a witness is accompanied (evidence notes, and what is missing): words the pages translate.
MOMENTS = ("before", "during", "after")


def _hearing_deadline(scheduled: Step) -> datetime:
    try:
        hearing = parse_instant(str(scheduled.answer("hearing_date")))
    except (ValueError, TypeError):
        return _after(scheduled, 2 * AFTER_HEARING_DAYS)
    return hearing + timedelta(days=AFTER_HEARING_DAYS)


def _accompanied(h: CaseHistory) -> CommitmentStatus:
    scheduled = h.first(SCHEDULE_HEARING)
    if scheduled is None:
        return not_applicable("No hearing scheduled.")
    before, during, after = MOMENTS
    parts = {
        before: h.last(PREPARE_WITNESS),
        during: next((s for s in h.done(ACCOMPANY_HEARING) if s.answer("accompanied")), None),
        after: h.last(POST_TRIAL_INFORMATION),
    }
    missing = [when for when, step in parts.items() if step is None]
    found = [Evidence.of(s, when) for when, s in parts.items() if s is not None]
    if not missing:
        return met("Accompanied before, during and after the proceedings.", *found)
    return CommitmentStatus(
        Judgement.NOT_YET,
        "Not yet accompanied: %(when)s.",
        (Evidence.of(scheduled, "hearing scheduled"), *found),
        _hearing_deadline(scheduled),
        params=(("when", tuple(missing)),),
    )


def _compensation(h: CaseHistory) -> CommitmentStatus:
    if h.pathway(CRIMINAL_JUSTICE) is None:
        return not_applicable("Compensation is supported within criminal-justice support.")
    supported = h.done(*COMPENSATION_STEPS)
    if supported:
        return met("", *supported)
    plan = h.last(REVISE_PLAN)
    if plan is None:
        return not_yet("Decided after the trial, in the revised protection plan.")
    if plan.answer("claim_compensation") is False:
        return not_applicable("The person chose not to claim compensation.", plan)
    return not_yet("Claim not yet assessed.", _after(plan, COMPENSATION_DAYS), plan)


def _after_proceedings(h: CaseHistory) -> CommitmentStatus:
    outcome = h.last(POST_TRIAL_INFORMATION)
    if outcome is None:
        return not_applicable("No criminal process has concluded.")
    plan = h.last(REVISE_PLAN)
    if plan:
        return met("Protection needs reconsidered after the trial.", outcome, plan)
    return not_yet("Protection plan not yet revised.", _after(outcome, AFTER_TRIAL_DAYS), outcome)


COMMITMENTS: tuple[Commitment, ...] = (
    Commitment(
        "treated_as_victim",
        "Treated as a victim of crime for initial assistance, regardless of status",
        _treated_as_victim,
    ),
    Commitment(
        "informed_of_protection",
        "Informed orally and in writing, in a language understood, of protection and support",
        _informed_of_protection,
    ),
    Commitment("reflection_period", "Afforded a period of reflection", _reflection_period),
    Commitment(
        "safe_accommodation",
        "Safe accommodation and support, irrespective of status or cooperation",
        _safe_accommodation,
    ),
    Commitment(
        "partners_consulted",
        "State and NGO partners consulted on protection when cooperating or returning",
        _partners_consulted,
    ),
    Commitment(
        "danger_assessed", "Partners assessed the danger from the trafficker", _danger_assessed
    ),
    Commitment(
        "informed_of_proceedings",
        "Informed, in a language understood, of the course of legal proceedings",
        _informed_of_proceedings,
    ),
    Commitment(
        "accompanied", "Accompanied before, during and after legal proceedings", _accompanied
    ),
    Commitment("compensation", "Supported towards compensation", _compensation),
    Commitment(
        "after_proceedings",
        "Protection needs considered after the criminal process ends",
        _after_proceedings,
    ),
)


def record(history: CaseHistory) -> list[CommitmentStatus]:
    return [replace(c.judge(history), key=c.key, title=c.title) for c in COMMITMENTS]
