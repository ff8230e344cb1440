"""Hostile diagrams sent to the modeller over HTTP: refused at validation, or stopped by a bound
when they run, and the server answers the next request at once."""

from __future__ import annotations

import time

import pytest

from tests.support import bpmn as b
from tests.support.web import csrf_from

XXE = '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><definitions>&x;</definitions>'
BOMB = (
    '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
    "<definitions>&d;</definitions>"
)


def _diagram(script: str = "x = 1", condition: str = "x == 1") -> str:
    return b.definitions(
        b.process(
            "hostile",
            b.start(),
            b.script_task("run", script),
            b.exclusive("gw", default="f_no"),
            b.end("yes"),
            b.end("no"),
            *b.chain("start", "run", "gw"),
            b.flow("gw", "yes", condition),
            b.flow("gw", "no", fid="f_no"),
            lanes={"Caseworker": ["start", "run", "gw", "yes", "no"]},
        )
    )


@pytest.fixture
def validate(signed_in):
    client = signed_in("coordinator")
    token = csrf_from(client.get("/modeller/").text)

    def call(source: str):
        began = time.perf_counter()
        response = client.post(
            "/modeller/files/hostile.bpmn/validate",
            json={"source": source},
            headers={"X-CSRF-Token": token},
        )
        assert time.perf_counter() - began < 5, "validation must not hang"
        assert client.get("/modeller/").status_code == 200  # still answering
        return response

    return call


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (XXE, "DOCTYPE"),
        (BOMB, "DOCTYPE"),
        ("<definitions>" + "<a/>" * (6 * 1024 * 1024 // 4) + "</definitions>", "larger than"),
        (_diagram(condition="__import__('os').system('id')"), "'__import__' is not allowed"),
        (_diagram(condition="().__class__.__base__.__subclasses__()"), "__subclasses__"),
        (_diagram(script="x = (1).__class__"), "'__class__' is not allowed"),
        (_diagram(script="data = open('/etc/passwd').read()"), "'open' is not available"),
        (_diagram(script="import os"), "imports are not allowed"),
    ],
    ids=["xxe", "entity-bomb", "huge", "import", "subclasses", "dunder", "open", "import-stmt"],
)
def test_refused_at_validation(validate, source, expected):
    response = validate(source)
    assert response.status_code in (200, 413, 422)
    if response.status_code == 413:
        return  # the request size limit refused it before parsing
    problems = response.json["problems"]
    assert any(expected in p["message"] for p in problems), problems


@pytest.mark.parametrize(
    "script",
    ["n = 0\nwhile True:\n    n += 1", "x = 10**10**10", "s = 'x' * 10**10"],
    ids=["infinite-loop", "power-tower", "huge-string"],
)
def test_runaway_code_is_stopped_by_a_bound_when_it_runs(signed_in, web_engine, tmp_path, script):
    web_engine.deploy(
        [b.write(tmp_path / "h", "hostile.bpmn", _diagram(script=script))], actor="system"
    )
    client = signed_in("caseworker")
    token = csrf_from(client.get("/").text)
    began = time.perf_counter()
    started = client.post(
        "/api/v1/cases", json={"process_key": "hostile"}, headers={"X-CSRF-Token": token}
    )
    assert time.perf_counter() - began < 10
    assert 400 <= started.status_code < 500, started.json
    assert started.json["code"] == "step_failed"
    assert client.get("/").status_code == 200
