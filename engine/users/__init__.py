"""People who use the system, their roles, and how roles map to BPMN lanes."""
