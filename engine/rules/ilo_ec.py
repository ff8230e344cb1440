"""The ILO/European Commission operational-indicators rule for presuming a victim of trafficking.

Source: Operational Indicators of Trafficking in Human Beings, ILO and European
Commission, 2009, as distilled in PATHWAYS.md. Each indicator belongs to one of
six dimensions and weighs *strong*, *medium* or *weak*, sometimes differently for
children and adults. A dimension is **positive** with

* 2 or more strong indicators, or
* 1 strong and at least 1 medium or weak, or
* 3 or more medium, or
* 2 medium and at least 1 weak.

An adult is presumed a victim when a recruitment dimension, exploitation, and
coercion or abuse of vulnerability at destination are all positive. A child
needs a recruitment dimension and exploitation only: the "means" never matter
for a child.

The catalogue below is the screening form's checklist (``forms/screening.json``
is checked against it by the tests). Jurisdictions adapt weights here, in one
readable table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from itertools import product
from typing import Any


class Weight(StrEnum):
    STRONG = "strong"
    MEDIUM = "medium"
    WEAK = "weak"


class Dimension(StrEnum):
    DECEPTIVE_RECRUITMENT = "deceptive_recruitment"
    COERCIVE_RECRUITMENT = "coercive_recruitment"
    ABUSIVE_RECRUITMENT = "abuse_of_vulnerability_at_recruitment"
    EXPLOITATION = "exploitation"
    COERCION_AT_DESTINATION = "coercion_at_destination"
    ABUSE_AT_DESTINATION = "abuse_of_vulnerability_at_destination"


RECRUITMENT = (
    Dimension.DECEPTIVE_RECRUITMENT,
    Dimension.COERCIVE_RECRUITMENT,
    Dimension.ABUSIVE_RECRUITMENT,
)
MEANS_AT_DESTINATION = (Dimension.COERCION_AT_DESTINATION, Dimension.ABUSE_AT_DESTINATION)

S, M, W = Weight.STRONG, Weight.MEDIUM, Weight.WEAK


@dataclass(frozen=True)
class Indicator:
    id: str
    dimension: Dimension
    adult: Weight
    child: Weight
    label: str


def _group(dimension: Dimension, *rows: tuple[str, Weight, Weight, str]) -> list[Indicator]:
    return [Indicator(i, dimension, adult, child, label) for i, adult, child, label in rows]


CATALOGUE: tuple[Indicator, ...] = tuple(
    _group(
        Dimension.DECEPTIVE_RECRUITMENT,
        (
            "dr_nature_of_work",
            S,
            S,
            "Deceived about the nature of the work, the place or the employer",
        ),
        ("dr_conditions", M, M, "Deceived about working or living conditions"),
        ("dr_wages", M, M, "Deceived about wages or earnings"),
        ("dr_documents_status", M, M, "Deceived about travel documents, visa or legal status"),
        ("dr_travel", M, M, "Deceived about travel and recruitment conditions"),
        ("dr_marriage_adoption", M, S, "Deceived through promises of marriage or adoption"),
    )
    + _group(
        Dimension.COERCIVE_RECRUITMENT,
        ("cr_abduction_sale", S, S, "Abducted, sold, or forced into marriage or adoption"),
        ("cr_violence", S, S, "Violence or threats of violence used to recruit"),
        ("cr_confinement", M, S, "Confined or watched during recruitment or travel"),
        ("cr_debt_bondage", M, M, "Put into debt at recruitment (fees, travel advance)"),
        ("cr_documents_taken", M, M, "Identity documents taken during recruitment or travel"),
    )
    + _group(
        Dimension.ABUSIVE_RECRUITMENT,
        ("avr_third_party_payment", M, S, "Cash or 'gifts' paid to a third party for the person"),
        (
            "avr_authority_relationship",
            M,
            S,
            "Recruited by a relative, partner or person of authority",
        ),
        ("avr_family_situation", W, M, "Difficult family situation abused (violence, neglect)"),
        ("avr_economic_hardship", W, W, "Poverty or lack of education abused"),
        ("avr_lack_of_information", W, M, "Lack of information about the destination abused"),
    )
    + _group(
        Dimension.EXPLOITATION,
        ("ex_excessive_hours", S, S, "Excessive working days or hours"),
        ("ex_degrading_conditions", S, S, "Inhumane or degrading living or working conditions"),
        (
            "ex_cannot_refuse",
            S,
            S,
            "Cannot refuse clients, specific sexual acts or unprotected sex",
        ),
        (
            "ex_domestic_servitude",
            S,
            S,
            "Poor food, no private space, never leaves the house alone",
        ),
        (
            "ex_begging_crime",
            S,
            S,
            "Forced to beg or commit crimes; punished for bringing too little",
        ),
        ("ex_organ_removal", S, S, "Organ removed, or to be removed, under coercion or deception"),
        ("ex_forced_marriage", S, S, "Forced into, or kept in, a servile or early marriage"),
        ("ex_no_or_low_pay", M, M, "No or very low pay, or earnings taken by others"),
        ("ex_forced_testing", M, S, "Forced contraception, medical or pregnancy testing"),
        ("ex_hazardous_work", W, S, "Hazardous work"),
        ("ex_inappropriate_for_age", W, S, "A situation inappropriate for the person's age"),
    )
    + _group(
        Dimension.COERCION_AT_DESTINATION,
        ("cd_forced_to_remain", S, S, "Forced or coerced to enter or to remain in the situation"),
        ("cd_threats_violence", S, S, "Threats or use of violence"),
        ("cd_confinement", S, S, "Confined, isolated or under surveillance"),
        ("cd_debt_bondage", S, S, "A debt that can never be repaid"),
        ("cd_documents_withheld", M, M, "Identity documents confiscated or withheld"),
        ("cd_threats_to_family", M, M, "Threats against family members"),
        ("cd_forced_tasks", M, M, "Forced into tasks or clients not agreed to"),
        ("cd_wages_withheld", M, M, "Wages withheld to prevent leaving"),
    )
    + _group(
        Dimension.ABUSE_AT_DESTINATION,
        (
            "avd_dependency",
            M,
            M,
            "Under the control of, or heavily dependent on, others (incl. substances)",
        ),
        ("avd_irregular_status", M, M, "Irregular status used as leverage"),
        ("avd_no_alternative", M, M, "No real alternative but to submit"),
        ("avd_language_isolation", W, W, "Does not speak the local language; socially isolated"),
        ("avd_family_obligations", W, W, "Family obligations or debts used as pressure"),
    )
)

CHILD_RULE = "child: recruitment and exploitation"
ADULT_RULE = (
    "adult: recruitment, exploitation, and coercion or abuse of vulnerability at destination"
)

BY_ID: dict[str, Indicator] = {indicator.id: indicator for indicator in CATALOGUE}


def dimension_positive(strong: int, medium: int, weak: int) -> bool:
    """The ILO/EC threshold for one dimension."""
    return (
        strong >= 2
        or (strong >= 1 and medium + weak >= 1)
        or medium >= 3
        or (medium >= 2 and weak >= 1)
    )


def assess(indicator_ids: list[str], *, is_child: bool) -> dict[str, Any]:
    """Score the observed indicators; raises ValueError on ids not in the catalogue.

    Returns plain data (it is stored in the case): ``presumed``, the ``rule``
    applied, and per dimension the counts by weight and whether it is positive.
    """
    unknown = sorted(set(indicator_ids) - set(BY_ID))
    if unknown:
        raise ValueError(f"unknown indicators: {', '.join(unknown)}")
    counts = {d: {"strong": 0, "medium": 0, "weak": 0} for d in Dimension}
    for indicator_id in set(indicator_ids):
        indicator = BY_ID[indicator_id]
        weight = indicator.child if is_child else indicator.adult
        counts[indicator.dimension][weight.value] += 1
    positive = {d: dimension_positive(**counts[d]) for d in Dimension}
    recruited = any(positive[d] for d in RECRUITMENT)
    exploited = positive[Dimension.EXPLOITATION]
    means = any(positive[d] for d in MEANS_AT_DESTINATION)
    presumed = recruited and exploited and (True if is_child else means)
    elements = {"recruitment": recruited, "exploitation": exploited}
    if not is_child:
        elements["means"] = means
    missing = [name for name, found in elements.items() if not found]
    return {
        "presumed": presumed,
        "rule": CHILD_RULE if is_child else ADULT_RULE,
        "dimensions": {d.value: {**counts[d], "positive": positive[d]} for d in Dimension},
        "missing": missing,
        "explanation": explain(elements, is_child=is_child),
    }


_ELEMENT_WORDS = {
    "recruitment": "recruitment (deceptive, coercive or abusing vulnerability)",
    "exploitation": "exploitation",
    "means": "coercion or abuse of vulnerability at destination",
}
THRESHOLD = "2 strong, or 1 strong and 1 more, or 3 medium, or 2 medium and 1 weak indicators"


def explain(elements: dict[str, bool], *, is_child: bool) -> str:
    """The rule's reasoning in the words a first responder reads on the task and case page:
    which rule applied and which element was missing, so "not presumed" can be checked."""
    rule = "Child rule (no means needed)" if is_child else "Adult rule"
    found = [_ELEMENT_WORDS[name] for name, ok in elements.items() if ok]
    missing = [_ELEMENT_WORDS[name] for name, ok in elements.items() if not ok]
    if not missing:
        return f"{rule}: presumed a victim: {', '.join(found)} all found."
    return (
        f"{rule}: not presumed: missing {' and '.join(missing)}"
        + (f"; found {', '.join(found)}" if found else "")
        + f". An element is found when one of its dimensions has {THRESHOLD}."
    )


def every_explanation() -> list[str]:
    """Each sentence :func:`explain` can say, so the interface can have it translated."""
    found = []
    for is_child in (False, True):
        names = ["recruitment", "exploitation"] + ([] if is_child else ["means"])
        for values in product((True, False), repeat=len(names)):
            found.append(explain(dict(zip(names, values, strict=True)), is_child=is_child))
    return found
