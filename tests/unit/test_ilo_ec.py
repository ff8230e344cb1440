"""The ILO/EC presumption rule, including PATHWAYS.md acceptance story 2."""

from __future__ import annotations

import pytest

from engine.rules.ilo_ec import BY_ID, CATALOGUE, Dimension, assess, dimension_positive


@pytest.mark.parametrize(
    ("strong", "medium", "weak", "positive"),
    [
        (2, 0, 0, True),
        (1, 1, 0, True),
        (1, 0, 1, True),
        (0, 3, 0, True),
        (0, 2, 1, True),
        (1, 0, 0, False),
        (0, 2, 0, False),
        (0, 1, 3, False),
        (0, 0, 5, False),
    ],
)
def test_dimension_threshold(strong, medium, weak, positive):
    assert dimension_positive(strong, medium, weak) is positive


STORY_2 = [
    "dr_nature_of_work",  # strong deceptive recruitment
    "dr_conditions",  # medium deceptive recruitment
    "ex_excessive_hours",
    "ex_degrading_conditions",  # exploitation positive
]


def test_story_2_adult_without_means_is_not_presumed():
    result = assess(STORY_2, is_child=False)
    assert result["dimensions"]["deceptive_recruitment"]["positive"]
    assert result["dimensions"]["exploitation"]["positive"]
    assert not result["dimensions"]["coercion_at_destination"]["positive"]
    assert result["presumed"] is False


def test_story_2_the_same_facts_for_a_child_are_presumed():
    assert assess(STORY_2, is_child=True)["presumed"] is True


def test_an_adult_with_means_at_destination_is_presumed():
    result = assess([*STORY_2, "cd_forced_to_remain", "cd_documents_withheld"], is_child=False)
    assert result["presumed"] is True
    assert result["rule"].startswith("adult")


def test_weights_can_differ_for_children():
    # Two indicators that are weak for adults but strong for children.
    observed = ["ex_hazardous_work", "ex_inappropriate_for_age"]
    assert not assess(observed, is_child=False)["dimensions"]["exploitation"]["positive"]
    assert assess(observed, is_child=True)["dimensions"]["exploitation"]["positive"]


def test_duplicates_count_once_and_unknown_ids_are_refused():
    assert (
        assess(["cd_confinement", "cd_confinement"], is_child=False)["dimensions"][
            "coercion_at_destination"
        ]["strong"]
        == 1
    )
    with pytest.raises(ValueError, match="unknown indicators: nope"):
        assess(["nope"], is_child=False)


def test_the_catalogue_covers_every_dimension_with_unique_ids():
    assert len(BY_ID) == len(CATALOGUE)
    assert {i.dimension for i in CATALOGUE} == set(Dimension)


def test_the_reasoning_names_the_rule_and_the_missing_element():
    adult = assess(STORY_2, is_child=False)
    assert adult["missing"] == ["means"]
    assert adult["explanation"].startswith(
        "Adult rule: not presumed: missing coercion or abuse of vulnerability at destination; "
        "found recruitment (deceptive, coercive or abusing vulnerability), exploitation."
    )
    child = assess(STORY_2, is_child=True)
    assert child["missing"] == []
    assert child["explanation"].startswith("Child rule (no means needed): presumed a victim")
    nothing = assess([], is_child=True)
    assert nothing["missing"] == ["recruitment", "exploitation"]
    assert (
        "missing recruitment (deceptive, coercive or abusing vulnerability) and exploitation."
        in (nothing["explanation"])
    )
