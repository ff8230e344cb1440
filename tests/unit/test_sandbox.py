"""The script sandbox refuses escapes at validation and bounds runaway code at run time."""

from __future__ import annotations

import time

import pytest

from engine.clock import FixedClock
from engine.errors import ScriptRefused
from engine.scripting import check_expression, check_script
from engine.scripting.script_engine import RestrictedEnvironment
from engine.spiff.clock_seam import using_clock

env = RestrictedEnvironment()


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("__import__('os').system('id')", "'__import__' is not allowed"),
        ("().__class__.__base__.__subclasses__()", "'__subclasses__' is not allowed"),
        ("x.__class__", "'__class__' is not allowed"),
        ("open('/etc/passwd')", "'open' is not available"),
        ("eval('1')", "'eval' is not available"),
        ("getattr(x, 'y')", "'getattr' is not available"),
        ("type(x)", "'type' is not available"),
        ("'a'.ljust(10)", "attribute '.ljust' is not allowed"),
        ("'{}'.format(1)", "attribute '.format' is not allowed"),
        ("f'{x:>99999}'", "format width above"),
        ("'%99999d' % 1", "format width above"),
        ("x @ y", "operator is not allowed"),
    ],
)
def test_dangerous_expressions_are_refused_with_a_readable_reason(source, fragment):
    problems = check_expression(source)
    assert any(fragment in p for p in problems), problems


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("import os", "imports are not allowed"),
        ("from os import path", "imports are not allowed"),
        ("class A:\n    pass", "defining classes"),
        ("try:\n    x = 1\nexcept Exception:\n    pass", "'try' blocks"),
        ("global x\nx = 1", "'global'"),
        ("with x:\n    pass", "'with' blocks"),
        ("def f():\n    yield 1", "generators"),
    ],
)
def test_dangerous_scripts_are_refused(source, fragment):
    problems = check_script(source)
    assert any(fragment in p for p in problems), problems


def test_ordinary_pathway_code_is_accepted():
    assert check_expression("presumed == True and len(indicators) >= 2") == []
    assert check_expression('f"P{reflection_days}D"') == []
    assert check_script("score = sum([1 for i in indicators if i in strong])\nok = score > 1") == []


@pytest.mark.parametrize(
    "source",
    [
        "10**10**10",
        "'x' * 10**10",
        "[0] * 10**9",
        "1 << 10**7",
        "max(range(10**9))",
        "sum([[1]] * 3, [])",
    ],
)
def test_runaway_expressions_are_stopped_quickly(source):
    began = time.perf_counter()
    with pytest.raises(ScriptRefused):
        env.evaluate(source, {})
    assert time.perf_counter() - began < 2


def test_a_percent_template_from_task_data_cannot_allocate_without_bound():
    with pytest.raises(ScriptRefused):
        env.evaluate("template % 1", {"template": "%999999999d"})


def test_str_join_and_replace_are_bounded():
    big = "a" * 100_000
    with pytest.raises(ScriptRefused):
        env.evaluate("big.replace('a', big)", {"big": big})
    with pytest.raises(ScriptRefused):
        env.evaluate("big.join(items)", {"big": big, "items": [big] * 20})


def test_infinite_loops_and_recursion_are_stopped():
    began = time.perf_counter()
    with pytest.raises(ScriptRefused, match="steps"):
        env.execute("n = 0\nwhile True:\n    n += 1", {})
    with pytest.raises(RecursionError):
        env.execute("def f(x):\n    return f(x)\nf(1)", {})
    assert time.perf_counter() - began < 5


def test_task_data_cannot_replace_the_guards():
    # A form field named like a guard would otherwise swap in its own _getattr_.
    with pytest.raises(ScriptRefused):
        env.evaluate("x.__class__", {"x": 1, "_getattr_": getattr})


def test_scripts_update_task_data_and_see_the_engine_clock():
    context = {"n": 3, "record": {"a": 1}, "gone": True}
    with using_clock(FixedClock()):
        env.execute(
            "m = n * 2\nrecord['b'] = today()\ndel gone\nreflection_end = add_days(today(), 30)",
            context,
        )
    assert context == {
        "n": 3,
        "m": 6,
        "record": {"a": 1, "b": "2026-01-05"},
        "reflection_end": "2026-02-04",
    }


def test_runtime_attribute_whitelist_holds_even_without_validation():
    with pytest.raises(ScriptRefused):
        env.evaluate("d.ljust", {"d": "text"})


def test_a_restored_workflow_runs_with_the_sandbox_not_the_default_engine():
    """SpiffWorkflow does not serialize the script engine; loading must put ours back."""
    from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

    from engine.spiff import serialization
    from engine.spiff.parsing import new_parser, parse_xml
    from tests.support import bpmn as b

    text = b.definitions(
        b.process(
            "p", b.start(), b.script_task("s", "x = 1"), b.end(), *b.chain("start", "s", "end")
        )
    )
    parser = new_parser()
    parser.add_bpmn_xml(parse_xml(text, "p.bpmn"), "p.bpmn")
    spec = parser.get_spec("p")
    workflow = serialization.new_workflow(spec, {})
    restored = serialization.load(serialization.dump(workflow), (spec, {}))
    assert restored.script_engine is serialization.SCRIPT_ENGINE
    task = restored.get_tasks()[0]
    with pytest.raises(WorkflowTaskException) as excinfo:
        restored.script_engine.evaluate(task, "().__class__")
    assert isinstance(excinfo.value.__context__, ScriptRefused)
