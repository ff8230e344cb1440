"""Everything a deployment must pass before any version is written.

Problems are collected, not raised one at a time: a coordinator fixing a
diagram wants the whole list (file, element id, what is wrong) in one go.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from engine.definitions.sources import FormLookup, SourceFile
from engine.errors import Problem
from engine.forms.schemas import schema_problems
from engine.scripting import check_expression, check_script
from engine.spiff.inspection import FORM_PROPERTY
from engine.spiff.parsing import NS, UnsafeXml, new_parser, parse_xml
from engine.tasks.rules import SEPARATION_PROPERTY, guards
from engine.timers.bounds import timer_value_problem
from engine.users.roles import is_valid_role


@dataclass
class Candidate:
    """A process or decision that passed its own checks and may become a version."""

    key: str
    kind: str  # "bpmn" | "dmn"
    name: str
    file_name: str
    source: str
    forms: dict[str, Any] = field(default_factory=dict)
    called_processes: list[str] = field(default_factory=list)
    called_decisions: list[str] = field(default_factory=list)
    called_from_lane: list[str] = field(default_factory=list)
    has_laneless_user_tasks: bool = False

    @property
    def content_hash(self) -> str:
        digest = hashlib.sha256(self.source.encode())
        digest.update(json.dumps(self.forms).encode())  # order matters: it is the questions' order
        return digest.hexdigest()

    def references_json(self) -> str:
        return json.dumps(
            {
                "processes": self.called_processes,
                "decisions": self.called_decisions,
                "from_lane": self.called_from_lane,
            },
            sort_keys=True,
        )


@dataclass(frozen=True)
class DeployedIndex:
    """What is live already, for references that point outside this deployment."""

    process_keys: frozenset[str] = frozenset()
    decision_keys: frozenset[str] = frozenset()
    called_from_lane: frozenset[str] = frozenset()
    # decision key -> (file name, source): business rule tasks are resolved while parsing
    decision_sources: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class Validation:
    candidates: list[Candidate] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _tag(local: str) -> str:
    return f"{{{NS['bpmn']}}}{local}"


def _element_id(node: etree._Element) -> str | None:
    current: etree._Element | None = node
    while current is not None:
        if current.get("id"):
            return current.get("id")
        current = current.getparent()
    return None


def _properties(node: etree._Element) -> dict[str, str]:
    found = {}
    for prop in node.iterfind(
        "bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS
    ):
        if prop.get("name"):
            found[prop.get("name")] = prop.get("value", "")
    return found


def _lane_of_nodes(process: etree._Element) -> dict[str, str]:
    lanes: dict[str, str] = {}
    # Deeper (nested) lanes are visited later and win.
    for lane in process.iter(_tag("lane")):
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            if ref.text:
                lanes[ref.text.strip()] = lane.get("name") or lane.get("id") or ""
    return lanes


def _lane_for(node: etree._Element, process: etree._Element, lanes: dict[str, str]) -> str | None:
    """The node's lane, or that of an enclosing embedded sub-process (SpiffWorkflow inherits it)."""
    current: etree._Element | None = node
    while current is not None and current is not process:
        lane = lanes.get(current.get("id", ""))
        if lane:
            return lane
        current = current.getparent()
    return None


def _expressions(process: etree._Element) -> Iterator[tuple[etree._Element, str, str]]:
    """(node, kind, text) for every piece of code in the process.

    ``kind`` is "script", "expression" or the timer element's name.
    """
    for node in process.iter(_tag("script")):
        yield node, "script", node.text or ""
    for local in ("preScript", "postScript"):
        for node in process.iter(f"{{{NS['spiffworkflow']}}}{local}"):
            yield node, "script", node.text or ""
    for local in ("conditionExpression", "loopCardinality", "completionCondition", "loopCondition"):
        for node in process.iter(_tag(local)):
            if (node.text or "").strip():
                yield node, "expression", node.text or ""
    for local in ("timeDuration", "timeDate", "timeCycle"):
        for node in process.iter(_tag(local)):
            yield node, local, node.text or ""


_TIMER_KINDS = ("timeDuration", "timeDate", "timeCycle")
_UNQUOTED_ISO = re.compile(r"^(R\d*/)?P[0-9YMWDTHS.,]+$|^\d{4}-\d{2}-\d{2}")


def _timer_problem(kind: str, text: str) -> str | None:
    if _UNQUOTED_ISO.match(text.strip()):
        return f'timer values are expressions: write "{text.strip()}" with quotes'
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError):
        return None  # computed at run time: checked then (engine.timers.bounds)
    return timer_value_problem(kind, value)


_PYTHON = {"", "python", "text/x-python", "application/x-python"}


def _language_problems(process: etree._Element, file_name: str) -> Iterator[Problem]:
    """Conditions and scripts declared in another language (FEEL, JUEL, JavaScript...)."""
    for node in process.iter(_tag("conditionExpression"), _tag("scriptTask")):
        declared = node.get("language") or node.get("scriptFormat") or ""
        if declared.strip().lower() not in _PYTHON:
            yield Problem(
                file_name,
                _element_id(node),
                f"{declared!r} code is not supported: conditions and scripts are Python",
            )


def _code_problems(process: etree._Element, file_name: str) -> list[Problem]:
    problems = list(_language_problems(process, file_name))
    for node, kind, text in _expressions(process):
        element = _element_id(node)
        if not text.strip():
            if kind != "script":
                problems.append(Problem(file_name, element, f"empty {kind}"))
            continue
        if kind == "script":
            messages = check_script(text)
        else:
            timer_message = _timer_problem(kind, text) if kind in _TIMER_KINDS else None
            messages = [timer_message] if timer_message else check_expression(text.strip())
        problems.extend(Problem(file_name, element, f"{kind}: {m}") for m in messages)
    return problems


def _rule_problems(
    props: dict[str, str], process: etree._Element, file_name: str, task_id: str | None
) -> list[Problem]:
    """Guards must be sandbox-clean expressions; four-eyes rules must name real user tasks."""
    problems = [
        Problem(file_name, task_id, f"guard.{name}: {m}")
        for name, expression, _message in guards(props)
        for m in check_expression(expression)
    ]
    user_tasks = {t.get("id") for t in process.iter(_tag("userTask"))}
    for other in (props.get(SEPARATION_PROPERTY) or "").split(","):
        if other.strip() and other.strip() not in user_tasks:
            problems.append(
                Problem(
                    file_name, task_id, f"{SEPARATION_PROPERTY}: no user task {other.strip()!r}"
                )
            )
    return problems


def _check_user_tasks(
    process: etree._Element, source: SourceFile, forms: FormLookup, candidate: Candidate
) -> list[Problem]:
    problems = []
    lanes = _lane_of_nodes(process)
    has_lanes = bool(lanes) or process.find(".//bpmn:laneSet", NS) is not None
    for service in process.iter(_tag("serviceTask")):
        problems.append(
            Problem(
                source.name,
                service.get("id"),
                "service tasks need a connector to another system, and none is configured:"
                " use a user task (a person records what the other system said)",
            )
        )
    # A plain task is a step for a person too (SpiffWorkflow waits on it): it needs a lane.
    for local in ("userTask", "manualTask", "task"):
        for task in process.iter(_tag(local)):
            task_id = task.get("id")
            lane = _lane_for(task, process, lanes)
            if lane is None:
                if has_lanes:
                    problems.append(Problem(source.name, task_id, "user task is in no lane (role)"))
                else:
                    candidate.has_laneless_user_tasks = True
            elif not is_valid_role(lane):
                problems.append(
                    Problem(source.name, task_id, f"lane name {lane!r} does not make a role name")
                )
            props = _properties(task)
            problems.extend(_rule_problems(props, process, source.name, task_id))
            if local != "userTask":
                continue  # no form: completed with an empty answer
            form_name = props.get(FORM_PROPERTY)
            if not form_name:
                problems.append(
                    Problem(source.name, task_id, f"user task has no form ({FORM_PROPERTY})")
                )
                continue
            problems.extend(_form_problems(form_name, task_id, source, forms, candidate))
    # A receive task may name a form too: the message's data is checked against it.
    for receive in process.iter(_tag("receiveTask")):
        form_name = _properties(receive).get(FORM_PROPERTY)
        if form_name:
            problems.extend(_form_problems(form_name, receive.get("id"), source, forms, candidate))
    return problems


def _form_problems(
    form_name: str, element: str | None, source: SourceFile, forms: FormLookup, candidate
) -> list[Problem]:
    schema, problem = forms.load(form_name, source.directory)
    if problem:
        return [Problem(source.name, element, problem)]
    form_problems = schema_problems(schema)
    if not form_problems:
        candidate.forms[form_name] = schema
    return [Problem(form_name, element, m) for m in form_problems]


def _references(process: etree._Element, candidate: Candidate) -> None:
    lanes = _lane_of_nodes(process)
    for call in process.iter(_tag("callActivity")):
        called = call.get("calledElement")
        if called:
            candidate.called_processes.append(called)
            if _lane_for(call, process, lanes):
                candidate.called_from_lane.append(called)
    for rule in process.iter(_tag("businessRuleTask")):
        node = rule.find("bpmn:extensionElements/spiffworkflow:calledDecisionId", NS)
        if node is not None and (node.text or "").strip():
            candidate.called_decisions.append(node.text.strip())
    for attr in ("called_processes", "called_decisions", "called_from_lane"):
        setattr(candidate, attr, sorted(set(getattr(candidate, attr))))


def _spiff_problem(file_name: str, err: Exception) -> Problem:
    """Whatever SpiffWorkflow raised reading a file, as a sentence (never a traceback).

    Its own ``ValidationException`` names the element; anything else it raises on
    malformed input (an ``IndexError`` in a decision table, an XML Schema or XPath
    error) is still a refusal of the file, not a crash of the deployment.
    """
    if isinstance(err, ValidationException):
        return Problem(file_name, getattr(err, "id", None) or None, str(err).split("\n")[0])
    detail = str(err).split("\n")[0][:300] or type(err).__name__
    return Problem(file_name, None, f"SpiffWorkflow cannot read this file ({detail})")


def _validate_bpmn(
    source: SourceFile,
    root: etree._Element,
    forms: FormLookup,
    decisions: dict[str, tuple[str, str]],
) -> Validation:
    result = Validation()
    text = source.data.decode("utf-8")
    parser = new_parser()
    try:
        for dmn_name, dmn_source in decisions.values():
            parser.add_dmn_xml(parse_xml(dmn_source, dmn_name), filename=dmn_name)
        parser.add_bpmn_xml(root, filename=source.name)
    except Exception as err:  # untrusted input: any failure to read it is a refusal
        result.problems.append(_spiff_problem(source.name, err))
        return result
    for process in root.iterfind("bpmn:process", NS):
        key = process.get("id")
        candidate = Candidate(key, "bpmn", process.get("name") or key, source.name, text)
        problems = _check_user_tasks(process, source, forms, candidate)
        problems.extend(_code_problems(process, source.name))
        _references(process, candidate)
        try:
            parser.get_spec(key)
        except Exception as err:  # untrusted input: any failure to read it is a refusal
            problems.append(_spiff_problem(source.name, err))
        result.problems.extend(problems)
        if not problems:
            result.candidates.append(candidate)
    if root.find("bpmn:process", NS) is None:
        result.problems.append(Problem(source.name, None, "the file defines no bpmn:process"))
    return result


def _dmn_expressions(root: etree._Element) -> Iterator[tuple[etree._Element, str]]:
    """Each DMN cell as the exact expression SpiffWorkflow's DMN engine will evaluate."""
    for table in root.iter("{*}decisionTable"):
        inputs = [
            i.findtext("{*}inputExpression/{*}text") or "" for i in table.iterfind("{*}input")
        ]
        for expr in inputs:
            yield table, expr
        for rule in table.iterfind("{*}rule"):
            for entry in rule.iterfind("{*}inputEntry"):
                cell = (entry.findtext("{*}text") or "").strip()
                if not cell or cell == "-":
                    continue
                if "?" in cell:
                    yield entry, cell.replace("?", "dmn_input")
                    continue
                try:
                    ast.parse(cell, mode="eval")
                    yield entry, f"(dmn_input) == ({cell})"
                except SyntaxError:
                    yield entry, f"dmn_input {cell}"
            for entry in rule.iterfind("{*}outputEntry"):
                cell = (entry.findtext("{*}text") or "").strip()
                if cell:
                    yield entry, cell


# SpiffWorkflow evaluates UNIQUE and COLLECT; FIRST is what it does for any other policy
# (the first matching rule in order), so that one is honest too.
_HIT_POLICIES = {"UNIQUE", "FIRST", "COLLECT"}


def _dmn_shape_problems(root: etree._Element, file_name: str) -> Iterator[Problem]:
    """What SpiffWorkflow's DMN engine would get wrong or crash on, named by element."""
    for decision in root.iterfind("{*}decision"):
        tables = decision.findall("{*}decisionTable")
        if len(tables) != 1:
            yield Problem(
                file_name,
                decision.get("id"),
                "a decision must be exactly one decision table (literal expressions, boxed"
                " contexts and FEEL are not supported)",
            )
        for table in tables:
            policy = (table.get("hitPolicy") or "UNIQUE").upper()
            if table.get("aggregation"):
                policy = f"{policy} {table.get('aggregation')}"
            if policy not in _HIT_POLICIES:
                yield Problem(
                    file_name,
                    table.get("id"),
                    f"hit policy {policy} is not supported:"
                    " use UNIQUE, FIRST or COLLECT (without aggregation)",
                )
            inputs = len(table.findall("{*}input"))
            for rule in table.iterfind("{*}rule"):
                entries = len(rule.findall("{*}inputEntry"))
                if entries != inputs:
                    yield Problem(
                        file_name,
                        rule.get("id"),
                        f"the rule has {entries} input entries for {inputs} inputs",
                    )


def _validate_dmn(source: SourceFile, root: etree._Element) -> Validation:
    result = Validation()
    result.problems.extend(_dmn_shape_problems(root, source.name))
    if result.problems:
        return result
    parser = new_parser()
    try:
        parser.add_dmn_xml(root, filename=source.name)
    except Exception as err:  # untrusted input: any failure to read it is a refusal
        result.problems.append(_spiff_problem(source.name, err))
        return result
    for node, expression in _dmn_expressions(root):
        if not expression.strip():
            result.problems.append(Problem(source.name, _element_id(node), "empty DMN expression"))
            continue
        result.problems.extend(
            Problem(source.name, _element_id(node), f"DMN expression: {m}")
            for m in check_expression(expression)
        )
    if result.problems:
        return result
    for key, dmn_parser in parser.dmn_parsers.items():
        try:
            dmn_parser.parse()  # SpiffWorkflow parses decisions lazily; surface errors now
        except Exception as err:  # untrusted input: any failure to read it is a refusal
            result.problems.append(_spiff_problem(source.name, err))
            continue
        result.candidates.append(
            Candidate(key, "dmn", dmn_parser.get_name(), source.name, source.data.decode("utf-8"))
        )
    return result


def _check_cross_references(result: Validation, deployed: DeployedIndex) -> None:
    processes = {c.key for c in result.candidates if c.kind == "bpmn"} | deployed.process_keys
    decisions = {c.key for c in result.candidates if c.kind == "dmn"} | deployed.decision_keys
    from_lane = set(deployed.called_from_lane)
    for candidate in result.candidates:
        from_lane.update(candidate.called_from_lane)
    for candidate in result.candidates:
        result.problems.extend(
            Problem(
                candidate.file_name,
                candidate.key,
                f"calls process {called!r}, which is not deployed",
            )
            for called in candidate.called_processes
            if called not in processes
        )
        result.problems.extend(
            Problem(
                candidate.file_name,
                candidate.key,
                f"uses decision {called!r}, which is not deployed",
            )
            for called in candidate.called_decisions
            if called not in decisions
        )
        if candidate.has_laneless_user_tasks and candidate.key not in from_lane:
            result.problems.append(
                Problem(
                    candidate.file_name,
                    candidate.key,
                    "has user tasks but no lanes, and no call activity in a lane calls it: "
                    "no role could act on them",
                )
            )


def _parsed(source: SourceFile, problems: list[Problem]) -> etree._Element | None:
    try:
        source.data.decode("utf-8")
        return parse_xml(source.data, source.name)
    except UnsafeXml as err:
        problems.append(Problem(source.name, None, err.message))
    except etree.XMLSyntaxError as err:
        problems.append(Problem(source.name, None, f"not well-formed XML: {err}"))
    except UnicodeDecodeError:
        problems.append(Problem(source.name, None, "not UTF-8 text"))
    return None


def validate(files: list[SourceFile], forms: FormLookup, deployed: DeployedIndex) -> Validation:
    result = Validation()
    roots = [(source, _parsed(source, result.problems)) for source in files]
    # Decisions first: the processes' business rule tasks are resolved against them.
    decisions = dict(deployed.decision_sources)
    for source, root in roots:
        if root is not None and source.is_dmn:
            part = _validate_dmn(source, root)
            result.candidates.extend(part.candidates)
            result.problems.extend(part.problems)
            decisions.update((c.key, (c.file_name, c.source)) for c in part.candidates)
    for source, root in roots:
        if root is not None and not source.is_dmn:
            part = _validate_bpmn(source, root, forms, decisions)
            result.candidates.extend(part.candidates)
            result.problems.extend(part.problems)
    seen: dict[tuple[str, str], str] = {}
    for candidate in result.candidates:
        other = seen.setdefault((candidate.kind, candidate.key), candidate.file_name)
        if other != candidate.file_name:
            result.problems.append(
                Problem(
                    candidate.file_name,
                    candidate.key,
                    f"id {candidate.key!r} is also defined in {other}",
                )
            )
    _check_cross_references(result, deployed)
    return result
