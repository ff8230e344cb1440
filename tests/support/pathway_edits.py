"""Edits a coordinator might make to the shipped identification pathway, as XML text."""

from __future__ import annotations

from engine.config import PROJECT_ROOT

IDENTIFICATION = PROJECT_ROOT / "workflows" / "identification.bpmn"
NEW_TASK = "refer_elsewhere"

_TASK = (
    '<bpmn:userTask id="refer_elsewhere" name="Refer to another service">'
    "<bpmn:extensionElements><spiffworkflow:properties>"
    '<spiffworkflow:property name="formJsonSchemaFilename" value="{form}" />'
    "</spiffworkflow:properties></bpmn:extensionElements>"
    "<bpmn:incoming>flow_other_setting</bpmn:incoming>"
    "<bpmn:outgoing>flow_refer_done</bpmn:outgoing></bpmn:userTask>"
    '<bpmn:endEvent id="referred_elsewhere"><bpmn:incoming>flow_refer_done</bpmn:incoming>'
    "</bpmn:endEvent>"
    '<bpmn:sequenceFlow id="flow_other_setting" sourceRef="presumed_gw" targetRef="refer_elsewhere">'
    "<bpmn:conditionExpression>{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>"
    '<bpmn:sequenceFlow id="flow_refer_done" sourceRef="refer_elsewhere" '
    'targetRef="referred_elsewhere" />'
)
OTHER_SETTING = "presumed_victim == False and contact_setting == 'other'"


def identification_source() -> str:
    return IDENTIFICATION.read_text(encoding="utf-8")


def with_new_task(
    source: str, *, form: str = "not_presumed.json", condition: str = OTHER_SETTING
) -> str:
    """A not-presumed person met in an 'other' setting gets a new step: no scenario goes there."""
    text = source.replace(
        "<bpmn:outgoing>flow_not_presumed</bpmn:outgoing><bpmn:outgoing>flow_presumed_gw_to_minor_gw",
        "<bpmn:outgoing>flow_not_presumed</bpmn:outgoing><bpmn:outgoing>flow_other_setting"
        "</bpmn:outgoing><bpmn:outgoing>flow_presumed_gw_to_minor_gw",
        1,
    )
    text = text.replace(
        "<bpmn:flowNodeRef>person_met</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>person_met</bpmn:flowNodeRef>"
        "<bpmn:flowNodeRef>refer_elsewhere</bpmn:flowNodeRef>"
        "<bpmn:flowNodeRef>referred_elsewhere</bpmn:flowNodeRef>",
        1,
    )
    marker = '<bpmn:userTask id="record_not_presumed"'
    assert marker in text and "flow_other_setting</bpmn:outgoing>" in text
    return text.replace(marker, _TASK.format(form=form, condition=condition) + marker, 1)


def with_a_broken_rule(source: str) -> str:
    """Everyone counts as not presumed: the scenarios about presumed victims must fail."""
    changed = source.replace(
        "<bpmn:conditionExpression>presumed_victim == True</bpmn:conditionExpression>",
        "<bpmn:conditionExpression>presumed_victim == 'never'</bpmn:conditionExpression>",
        1,
    )
    assert changed != source
    return changed
