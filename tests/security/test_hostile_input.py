"""Hostile values in every route: path arguments, query parameters, form fields and JSON bodies.

Whatever is sent, the answer is never a 500: a value the app cannot use gets a 4xx with a plain
message. The walk is generated, like the route x role matrix: the routes come from the app's URL
map, and the parameters each route reads are found by recording what its view looks up in
``request.args`` and ``request.form`` (so a parameter added later is walked too). It runs on
SQLite and on PostgreSQL, whose limits differ (PostgreSQL refuses NUL characters in text and
numbers past an ``integer`` column's 32 bits; SQLite numbers past 64 bits).
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from flask import Flask, Request
from werkzeug.datastructures import ImmutableMultiDict

from engine.timers.models import Timer
from tests.conftest import ROLES
from tests.support.cli import run_pathways
from tests.support.web import ADULT_SCREENING, csrf_from, sign_in

HOSTILE = [
    "garbage",
    "",
    "-1",
    "1e400",
    str(2**31),  # past PostgreSQL's integer
    str(2**63),  # past bigint, and SQLite's integer
    "9" * 5000,  # more digits than Python converts by default
    "x" * 10_000,
    "\x00",
    "9999-12-31",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "garbage|x",
    "9999-12-31T23:59:59+00:00|" + "z" * 100,
    "../../etc/passwd",
    "١٢٣",  # digits, but not ASCII ones
]


def _nested(depth: int):
    value: object = "deep"
    for _ in range(depth):
        value = [value]
    return value


HOSTILE_JSON = [
    "[" * 100_000,  # the reported one: Python's parser gives up with a RecursionError
    '{"a":' * 50_000,
    json.dumps({k: _nested(500) for k in ("answers", "source", "note", "schema", "data")}),
    json.dumps(
        {k: {"x": "\x00"} for k in ("answers", "data")} | {"source": "\x00", "note": "\x00"}
    ),
    '{"answers": {"age": NaN}, "source": Infinity}',
    '{"answers": {"age": 1e999}}',
    '{"answers": {"age": ' + "9" * 5000 + "}}",
    json.dumps({"answers": {"age": 2**64}, "process_key": 2**64, "source": 2**64}),
    json.dumps(
        {"answers": [], "source": 5, "note": None, "schema": [], "process_key": {}}
        | {"case_ref": 123, "data": "x"}
    ),
    "not json",
    "[]",
    '"text"',
    "null",
    "{}",
    "",
]
NOT_UTF8 = b'\xff\xfe{"answers": {}}'


# -- recording what each view reads ----------------------------------------------------------

READ: set[str] = set()
JSON_WANTED: list[bool] = []


class _RecordingDict(ImmutableMultiDict):
    def __getitem__(self, key):
        READ.add(key)
        return super().__getitem__(key)

    def getlist(self, key, type=None):
        READ.add(key)
        return super().getlist(key, type)

    def __contains__(self, key):
        READ.add(key)
        return super().__contains__(key)


class _RecordingRequest(Request):
    parameter_storage_class = _RecordingDict

    @property
    def is_json(self) -> bool:
        JSON_WANTED.append(True)
        return super().is_json


# -- the walk --------------------------------------------------------------------------------


@pytest.fixture
def valid(web_engine):
    """Real values for every path argument: a case, its open task, a timer, an event."""
    started = web_engine.start("identification", actor="first_responder")
    screening = web_engine.tasks_for("first_responder", case_ref=started.case_ref)[0]
    web_engine.complete_task(screening.id, actor="first_responder", answers=ADULT_SCREENING)
    consent = web_engine.tasks_for("caseworker", case_ref=started.case_ref)[0]
    with web_engine.db.read() as session:
        timer_id = session.scalar(sa.select(Timer.id).limit(1))
    return {
        "ref": started.case_ref,
        "task_id": consent.id,
        "instance_id": str(started.instance_id),
        "seq": "3",
        "incident_id": "1",
        "timer_id": timer_id or "none",
        "username": "caseworker",
        "file_name": "identification.bpmn",
        "process_key": "identification",
        "name": "screening.json",
        "lang": "th",
    }


def _routes(app: Flask):
    found = [
        (url_rule, method)
        for url_rule in app.url_map.iter_rules()
        if url_rule.endpoint not in {"static", "auth.sign_out"}
        for method in sorted(url_rule.methods - {"HEAD", "OPTIONS"})
    ]
    return sorted(found, key=lambda pair: (pair[0].rule, pair[1]))


def _path(url_rule, values: dict[str, str]) -> str:
    return re.sub(
        r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>",
        lambda m: quote(values[m.group(1)], safe=""),
        url_rule.rule,
    )


class Walker:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.clients: dict[str | None, tuple] = {}
        self.failures: list[tuple] = []
        self.requests = 0
        self.discovered: dict[str, set[str]] = {}

    def client(self, who: str | None):
        if who not in self.clients:
            client = self.app.test_client()
            if who is not None:
                assert sign_in(client, who).status_code == 302
            token = csrf_from(client.get("/signin" if who is None else "/").text)
            self.clients[who] = (client, token)
        return self.clients[who]

    def send(self, who, method, path, *, query=None, form=None, body=None, what=""):
        client, token = self.client(who)
        headers = {"X-CSRF-Token": token}
        READ.clear()
        JSON_WANTED.clear()
        if body is not None:
            response = client.open(
                path, method=method, data=body, content_type="application/json", headers=headers
            )
        elif method == "GET":
            response = client.get(path, query_string=query or {}, headers=headers)
        else:
            data = {**(form or {}), "csrf_token": token}
            response = client.open(path, method=method, data=data, query_string=query or {})
        self.requests += 1
        self.check(response, method, path, what)
        return response

    def check(self, response, method, path, what) -> None:
        status = response.status_code
        text = response.get_data(as_text=True)
        plain = "Traceback" not in text
        if status < 500 and status >= 400 and path.startswith("/api/"):
            plain = plain and bool(response.is_json and response.json.get("message"))
        if status >= 500 or not plain:
            self.failures.append((status, method, path[:80], what[:60]))
        response.close()


def _who_may(walker: Walker, method: str, path: str) -> str | None:
    """Admin passes most rules; otherwise the first role whose request is not refused."""
    for who in ("admin", *ROLES, None):
        response = walker.send(who, method, path, what="(access)")
        if response.status_code not in (401, 403) and "/signin" not in response.headers.get(
            "Location", ""
        ):
            return who
    return "admin"


def _walk(app: Flask, valid: dict[str, str], routes) -> Walker:
    app.request_class = _RecordingRequest
    walker = Walker(app)
    for url_rule, method in routes:
        public = url_rule.endpoint in {"auth.sign_in", "i18n.switch", "api.openapi"}
        path = _path(url_rule, valid)
        who = None if public else _who_may(walker, method, path)
        walker.send(who, method, path, what="discovery")
        known = set(READ) - {"csrf_token"}
        wants_json = bool(JSON_WANTED)
        for value in HOSTILE:
            for argument in url_rule.arguments:
                hostile_path = _path(url_rule, {**valid, argument: value or "-"})
                walker.send(who, method, hostile_path, what=f"{argument}={value!r}")
        pending = sorted(known)
        while pending:  # a key read only once another one passes is walked when it is seen
            key = pending.pop(0)
            for value in HOSTILE:
                fields = dict.fromkeys(sorted(known), "1") | {key: value}
                walker.send(who, method, path, query=fields, form=fields, what=f"{key}={value!r}")
                for seen in sorted(READ - known - {"csrf_token"}):
                    known.add(seen)
                    pending.append(seen)
        walker.discovered[url_rule.endpoint] = known
        if wants_json:
            for body in [*HOSTILE_JSON, NOT_UTF8]:
                walker.send(who, method, path, body=body, what=f"json {body[:40]!r}")
    return walker


def test_no_hostile_value_anywhere_gets_a_500(app, valid):
    walker = _walk(app, valid, _routes(app))
    # The recording found what the views read (so a parameter added later is walked too) ...
    assert {"after", "tab", "pathway", "role", "case"} <= walker.discovered["inbox.home"]
    assert {"before", "since", "until", "actor"} <= walker.discovered["admin.audit"]
    assert {"instance_id", "due_at", "reason"} <= walker.discovered["admin.move_timer"]
    assert {"old", "new"} <= walker.discovered["modeller.compare"]
    assert walker.requests > 1500  # ... and the walk reached every route with every value
    assert walker.failures == []


REPORTED = [
    ("/?after=garbage", 400, "page link is not valid"),
    ("/?after=garbage|x", 400, "page link is not valid"),
    ("/admin/events/99999999999999999999999", 404, "Not found"),
    ("/admin/instances/99999999999999999999999", 404, "Not found"),
    (f"/admin/instances/{2**31}", 404, "Not found"),
    (f"/admin/events/{2**63}", 404, "Not found"),
    (f"/admin/audit?before={2**63}", 400, "whole number"),
    ("/admin/audit?until=9999-12-31", 200, "Audit"),
    ("/admin/audit?since=garbage", 400, "not a date"),  # refused, never read as "no filter"
    (f"/modeller/processes/identification/compare?old={2**31}&new=1", 400, "whole number"),
    ("/cases/%00", 400, "NUL character"),
    ("/?case=%00", 400, "NUL character"),
]


def test_the_reported_inputs_get_a_plain_answer(signed_in):
    client = signed_in("admin")
    answers = [(path, client.get(path)) for path, _, _ in REPORTED]
    assert [(path, r.status_code) for path, r in answers] == [(p, s) for p, s, _ in REPORTED]
    for (path, response), (_, _, message) in zip(answers, REPORTED, strict=True):
        assert message in response.text, path


def test_hostile_json_bodies_to_the_api_get_a_plain_400(signed_in, valid):
    client = signed_in("caseworker")
    token = csrf_from(client.get("/").text)
    for body in ("[" * 100_000, json.dumps({"data": _nested(40)}), '{"answers": NaN}'):
        for path in ("/api/v1/cases", f"/api/v1/tasks/{valid['task_id']}/complete"):
            response = client.post(
                path, data=body, content_type="application/json", headers={"X-CSRF-Token": token}
            )
            assert response.status_code == 400, (path, body[:40], response.text[:200])
            assert response.json["code"] == "bad_request" and response.json["message"]
    within_bound = client.post(
        f"/api/v1/tasks/{valid['task_id']}/complete",
        json={"answers": {"language": _nested(20)}},
        headers={"X-CSRF-Token": token},
    )
    assert within_bound.status_code == 422  # read, then refused field by field by the form
    assert within_bound.json["code"] == "validation_failed"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("timers", "fire", "--now", "garbage"), "is not an ISO 8601 time"),
        (
            ("timers", "list", "--as", "admin", "--due-before", "9999-12-31T23:59:59-14:00"),
            "is not an ISO 8601 time",
        ),
        (("instance", "suspend", str(2**63), "--as", "admin", "--reason", "x"), "range"),
        (("incidents", "retry", "9" * 30, "--as", "admin", "--reason", "x"), "range"),
        (("complete", "x", "--as", "admin", "--data", "@{nested}"), "nested too deeply"),
        (("complete", "x", "--as", "admin", "--data", '{"n": ' + "9" * 5000 + "}"), "not valid"),
    ],
    ids=["now", "due-before", "instance", "incident", "data-nested", "data-digits"],
)
def test_hostile_values_on_the_command_line_are_usage_errors(cli_env, tmp_path, args, message):
    """Plain usage errors (exit 2); ``run_pathways`` also fails on any traceback."""
    nested = tmp_path / "nested.json"
    nested.write_text("[" * 100_000)
    result = run_pathways(cli_env, *(a.replace("{nested}", str(nested)) for a in args))
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert message in result.stderr
