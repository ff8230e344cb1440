"""Deployment: immutable numbered versions, no-op redeploys, and readable refusals."""

from __future__ import annotations

import pytest

from engine.errors import DeploymentRefused, PermissionDenied
from tests.support import bpmn as b

FORM = "screening.json"


def _one_task(
    pid: str = "screening",
    *,
    form: str | None = FORM,
    lane: str | None = "First responder",
    extra_elements: tuple[str, ...] = (),
    extra_flows: tuple[str, ...] = (),
) -> str:
    elements = [b.start(), b.user_task("screen", "Screen", form), b.end(), *extra_elements]
    lanes = {lane: ["start", "screen", "end"]} if lane else None
    return b.definitions(
        b.process(pid, *elements, *b.chain("start", "screen", "end"), *extra_flows, lanes=lanes)
    )


def _deploy(engine, tmp_path, text, *, name="screening.bpmn", forms=None, actor="system"):
    path = b.write(
        tmp_path / "deploy", name, text, forms if forms is not None else {FORM: b.SIMPLE_FORM}
    )
    return engine.deploy([path], actor=actor)


def _problems(excinfo) -> list[str]:
    return [str(p) for p in excinfo.value.problems]


def test_versions_are_numbered_and_identical_content_is_a_no_op(engine, tmp_path):
    first = _deploy(engine, tmp_path, _one_task())
    assert [(r.process_key, r.version, r.changed) for r in first] == [("screening", 1, True)]
    again = _deploy(engine, tmp_path, _one_task())
    assert [(r.version, r.changed) for r in again] == [(1, False)]
    changed_form = dict(b.SIMPLE_FORM, title="Screening v2")
    second = _deploy(engine, tmp_path, _one_task(), forms={FORM: changed_form})
    assert [(r.version, r.changed) for r in second] == [(2, True)]
    listed = {d["process_key"]: d for d in engine.definitions(actor="system")}
    assert listed["screening"]["version"] == 2
    assert listed["screening"]["deployed_by"] == "system"


def test_only_coordinators_and_admins_deploy(engine, tmp_path, people):
    with pytest.raises(PermissionDenied):
        _deploy(engine, tmp_path, _one_task(), actor=people["caseworker"])
    assert _deploy(engine, tmp_path, _one_task(), actor=people["coordinator"])[0].changed


@pytest.mark.parametrize(
    ("text", "forms", "expected"),
    [
        ("<bpmn:definitions", {}, "screening.bpmn: not well-formed XML"),
        (
            _one_task(lane=None).replace(
                "</bpmn:process>", '<bpmn:laneSet id="x"/></bpmn:process>'
            ),
            None,
            "screening.bpmn#screen: user task is in no lane (role)",
        ),
        (_one_task(form=None), None, "screening.bpmn#screen: user task has no form"),
        (_one_task(form="missing.json"), None, "missing.json not found"),
        (
            _one_task(),
            {FORM: {"type": "object", "properties": {"a": {"type": "no-such-type"}}}},
            "screening.json#screen: not valid JSON Schema",
        ),
        (
            _one_task(extra_elements=(b.script_task("s", "import os"),)),
            None,
            "screening.bpmn#s: script: line 1: imports are not allowed",
        ),
        (
            _one_task(extra_elements=(b.script_task("s", "x = ().__class__.__bases__"),)),
            None,
            "'__bases__' is not allowed",
        ),
        (
            _one_task(extra_elements=(b.timer_catch("t", '"P3X"'),)),
            None,
            "screening.bpmn#t: timeDuration: 'P3X' is not a valid ISO 8601 duration",
        ),
        (
            _one_task(extra_elements=(b.timer_catch("t", "P3D"),)),
            None,
            'timeDuration: timer values are expressions: write "P3D" with quotes',
        ),
        (
            _one_task(
                extra_elements=(b.exclusive("g"), b.end("e2")),
                extra_flows=(b.flow("g", "e2", "__import__('os')"),),
            ),
            None,
            "screening.bpmn#f_g_e2: expression: line 1: name '__import__' is not allowed",
        ),
        (
            _one_task(extra_elements=(b.call_activity("c", "nowhere"),)),
            None,
            "calls process 'nowhere', which is not deployed",
        ),
    ],
    ids=[
        "unparsable",
        "no-lane",
        "no-form",
        "form-missing",
        "bad-schema",
        "import",
        "dunder",
        "bad-timer",
        "unquoted-timer",
        "condition-import",
        "unknown-call",
    ],
)
def test_refusals_name_file_element_and_reason(engine, tmp_path, text, forms, expected):
    with pytest.raises(DeploymentRefused) as excinfo:
        _deploy(engine, tmp_path, text, forms=forms)
    assert any(expected in p for p in _problems(excinfo)), _problems(excinfo)
    assert engine.definitions(actor="system") == []


def test_a_refused_deployment_deploys_nothing_at_all(engine, tmp_path):
    good = b.write(tmp_path / "d", "good.bpmn", _one_task("good"), {FORM: b.SIMPLE_FORM})
    bad = b.write(tmp_path / "d", "bad.bpmn", _one_task("bad", form=None))
    with pytest.raises(DeploymentRefused) as excinfo:
        engine.deploy([good, bad], actor="system")
    assert len(excinfo.value.problems) == 1
    assert engine.definitions(actor="system") == []


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (
            '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&x;</bpmn:definitions>',
            "DOCTYPE declarations are not allowed",
        ),
        (
            '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><l>&c;</l>',
            "DOCTYPE declarations are not allowed",
        ),
    ],
    ids=["xxe", "entity-bomb"],
)
def test_hostile_xml_is_refused(engine, tmp_path, payload, expected):
    with pytest.raises(DeploymentRefused) as excinfo:
        _deploy(engine, tmp_path, payload)
    assert any(expected in p for p in _problems(excinfo))


def test_huge_files_are_refused(engine, tmp_path):
    text = _one_task().replace(
        "</bpmn:definitions>", "<!--" + "x" * (6 * 1024 * 1024) + "--></bpmn:definitions>"
    )
    with pytest.raises(DeploymentRefused) as excinfo:
        _deploy(engine, tmp_path, text)
    assert any("larger than 5 MB" in p for p in _problems(excinfo))


def test_a_laneless_called_process_needs_a_caller_in_a_lane(engine, tmp_path):
    called = b.process(
        "visit", b.start("s"), b.user_task("v", "Visit", FORM), b.end("e"), *b.chain("s", "v", "e")
    )
    lonely = b.definitions(called)
    with pytest.raises(DeploymentRefused) as excinfo:
        _deploy(engine, tmp_path, lonely)
    assert any("no call activity in a lane calls it" in p for p in _problems(excinfo))
    caller = b.process(
        "main",
        b.start(),
        b.call_activity("c", "visit"),
        b.end(),
        *b.chain("start", "c", "end"),
        lanes={"Caseworker": ["start", "c", "end"]},
    )
    results = _deploy(engine, tmp_path, b.definitions(caller, called))
    assert sorted(r.process_key for r in results) == ["main", "visit"]


def test_shipped_workflows_deploy_without_problems(engine):
    results = engine.deploy(actor="system")
    assert results and all(r.changed for r in results)
    assert engine.deploy(actor="system") and not any(
        r.changed for r in engine.deploy(actor="system")
    )
