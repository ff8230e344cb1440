"""Authoring aid for the shipped pathways: compact Python in, laid-out BPMN and JSON Schema out.

It wrote the first versions of ``workflows/*.bpmn`` and ``forms/*.json``:
positions come from a grid (column, lane, row) so shapes never overlap and
flows are routed orthogonally. Once coordinators edit a pathway in the
modeller, the .bpmn file is the source of truth and this module is not run
for it again. Run: ``.venv/bin/python -m tools.author [--check]``.
"""
