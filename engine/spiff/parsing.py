"""Turning stored BPMN/DMN text into SpiffWorkflow specs, treating the XML as hostile.

Diagrams arrive from browsers. The XML parser resolves no entities, loads no
DTD, touches no network and refuses documents that declare a DOCTYPE at all,
which covers XXE and entity-expansion ("billion laughs") bombs; a size limit
covers the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity, SubWorkflowTask
from SpiffWorkflow.spiff.parser import VALIDATOR, SpiffBpmnParser

from engine.errors import EngineError
from engine.spiff import event_subprocesses

MAX_XML_BYTES = 5 * 1024 * 1024

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}


class UnsafeXml(EngineError):
    code = "unsafe_xml"


def parse_xml(data: bytes | str, filename: str) -> etree._Element:
    """Parse untrusted XML; raises :class:`UnsafeXml` or ``etree.XMLSyntaxError``."""
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) > MAX_XML_BYTES:
        raise UnsafeXml(f"{filename}: larger than {MAX_XML_BYTES // (1024 * 1024)} MB")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
    )
    root = etree.fromstring(raw, parser=parser)
    if root.getroottree().docinfo.doctype:
        raise UnsafeXml(f"{filename}: DOCTYPE declarations are not allowed")
    return root


def new_parser() -> SpiffBpmnParser:
    return SpiffBpmnParser(validator=VALIDATOR)


def is_dmn(root: etree._Element) -> bool:
    return (
        etree.QName(root).localname == "definitions"
        and "dmn" in (etree.QName(root).namespace or "").lower()
    )


@dataclass(frozen=True)
class ParsedProcess:
    """A deployed process's spec and the sub-processes drawn inside it.

    Embedded sub-processes, transactions and event sub-processes run as sub-workflows
    with specs of their own (notes, pitfall 13); they travel with the process that
    draws them, while called processes are pinned and parsed from their own deployments.
    """

    spec: BpmnProcessSpec
    embedded: dict[str, BpmnProcessSpec] = field(default_factory=dict)

    def task_spec(self, bpmn_id: str):
        for spec in (self.spec, *self.embedded.values()):
            if bpmn_id in spec.task_specs:
                return spec.task_specs[bpmn_id]
        return None


def _embedded(parser: SpiffBpmnParser, spec: BpmnProcessSpec, found: dict) -> dict:
    for task_spec in spec.task_specs.values():
        drawn_inside = isinstance(task_spec, SubWorkflowTask) and not isinstance(
            task_spec, CallActivity
        )
        if drawn_inside and task_spec.spec not in found:
            found[task_spec.spec] = parser.get_spec(task_spec.spec)
            _embedded(parser, found[task_spec.spec], found)
    return found


def build_spec(
    source: str, file_name: str, process_key: str, dmn_sources: list[tuple[str, str]]
) -> ParsedProcess:
    """Parse one deployed file and return one of its processes, with its embedded sub-processes.

    Each process is parsed from its own deployed file so that two versions of a
    file never meet in one parser (they would clash as duplicate process ids).
    """
    parser = new_parser()
    for dmn_name, dmn_source in dmn_sources:
        parser.add_dmn_xml(parse_xml(dmn_source, dmn_name), filename=dmn_name)
    root = parse_xml(source, file_name)
    parser.add_bpmn_xml(root, filename=file_name)
    try:
        spec = parser.get_spec(process_key)
        parsed = ParsedProcess(spec, _embedded(parser, spec, {}))
    except ValidationException as err:
        raise EngineError(f"{file_name}: {err}") from err
    event_subprocesses.mark([spec, *parsed.embedded.values()], event_subprocesses.kinds(root))
    return parsed


def element_names(sources: list[str]) -> dict[str, str]:
    """Every named element of these diagrams, id -> name (a history reads in names, not ids).
    A source that does not parse contributes nothing: names are a courtesy, not evidence."""
    names: dict[str, str] = {}
    for source in sources:
        try:
            root = parse_xml(source, "history.bpmn")
        except (etree.XMLSyntaxError, UnsafeXml):
            continue
        for node in root.iter():
            if not isinstance(node.tag, str):
                continue
            element_id, name = node.get("id"), node.get("name")
            if element_id and name:
                names.setdefault(element_id, " ".join(name.split()))
    return names
