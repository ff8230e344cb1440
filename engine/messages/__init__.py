"""BPMN messages: another agency's answer delivered to the pathways waiting for it."""
