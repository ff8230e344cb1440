"""The commitments' map (engine/data/commitments.toml) and the rules that read through it agree."""

from __future__ import annotations

import ast

import pytest

from engine.accountability import commitments, evidence_map
from engine.config import PROJECT_ROOT

RULES = PROJECT_ROOT / "engine" / "accountability" / "commitments.py"


def _answers_read() -> set[str]:
    """Every ``<step>.answer("field", ...)`` in the rules."""
    found = set()
    for node in ast.walk(ast.parse(RULES.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "answer"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            found.add(node.args[0].value)
    return found


def test_every_answer_the_rules_read_is_in_the_map():
    declared = {f for fields in evidence_map.shipped().answers.values() for f in fields}
    assert _answers_read() <= declared
    assert _answers_read()  # the scan found the rules' reads


def test_every_commitment_is_mapped_and_every_mapped_step_is_read():
    the_map = evidence_map.shipped()
    assert set(the_map.commitments) == {c.key for c in commitments.COMMITMENTS}
    read = {
        s for slots in [*the_map.commitments.values(), *the_map.console.values()] for s in slots
    }
    assert read == set(the_map.steps)


def test_a_map_naming_an_undeclared_step_is_refused(tmp_path):
    broken = tmp_path / "commitments.toml"
    broken.write_text(
        '[pathways]\n[steps]\nscreening = "x"\n[commitments]\ntreated_as_victim = ["nowhere"]\n'
    )
    with pytest.raises(ValueError, match="nowhere"):
        evidence_map.load(broken)
