"""Parsed specs of deployed definitions, cached by id (definitions never change)."""

from __future__ import annotations

import json
import threading
from typing import Any

from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from sqlalchemy.orm import Session

from engine.definitions import repository
from engine.definitions.models import ProcessDefinition
from engine.definitions.repository import Pinned
from engine.errors import InvalidRequest, NotFound
from engine.spiff.parsing import ParsedProcess, build_spec


class SpecLibrary:
    def __init__(self) -> None:
        self._specs: dict[tuple[int, tuple[int, ...]], ParsedProcess] = {}
        self._definitions: dict[int, ProcessDefinition] = {}
        self._forms: dict[int, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def definition(self, session: Session, definition_id: int) -> ProcessDefinition:
        cached = self._definitions.get(definition_id)
        if cached is None:
            cached = session.get(ProcessDefinition, definition_id)
            if cached is None:
                raise NotFound(f"definition {definition_id} does not exist")
            session.expunge(cached)
            with self._lock:
                self._definitions[definition_id] = cached
        return cached

    def forms(self, session: Session, definition_id: int) -> dict[str, Any]:
        forms = self._forms.get(definition_id)
        if forms is None:
            forms = json.loads(self.definition(session, definition_id).forms_json)
            with self._lock:
                self._forms[definition_id] = forms
        return forms

    def spec(self, session: Session, definition_id: int, pinned: Pinned) -> BpmnProcessSpec:
        return self.parsed(session, definition_id, pinned).spec

    def parsed(self, session: Session, definition_id: int, pinned: Pinned) -> ParsedProcess:
        definition = self.definition(session, definition_id)
        decision_ids = tuple(
            sorted(
                pinned.decisions[k] for k in repository.references(definition).get("decisions", [])
            )
        )
        key = (definition_id, decision_ids)
        spec = self._specs.get(key)
        if spec is None:
            dmn_sources = [
                (d.file_name, d.source) for d in (self.definition(session, i) for i in decision_ids)
            ]
            spec = build_spec(
                definition.source, definition.file_name, definition.process_key, dmn_sources
            )
            with self._lock:
                self._specs[key] = spec
        return spec

    def specs_for(self, session: Session, pinned: Pinned, root_key: str):
        """(root spec, {sub-workflow name: spec}) for a new workflow: the called processes
        pinned for it, and every process's embedded sub-processes."""
        root = self.parsed(session, pinned.processes[root_key], pinned)
        subworkflows = dict(root.embedded)
        for key, definition_id in pinned.processes.items():
            if key == root_key:
                continue
            called = self.parsed(session, definition_id, pinned)
            for name, spec in {key: called.spec, **called.embedded}.items():
                if subworkflows.setdefault(name, spec) is not spec:
                    raise InvalidRequest(
                        f"the id {name!r} names two different sub-processes among the pathways"
                        f" {root_key!r} uses: rename one in the modeller"
                    )
        return root.spec, subworkflows

    def form_schema(
        self, session: Session, pinned: Pinned, process_key: str, form_name: str
    ) -> dict[str, Any]:
        definition_id = pinned.processes.get(process_key)
        if definition_id is None:
            raise NotFound(f"process {process_key!r} is not part of this instance")
        schema = self.forms(session, definition_id).get(form_name)
        if schema is None:
            raise NotFound(f"form {form_name!r} was not deployed with {process_key}")
        return schema
