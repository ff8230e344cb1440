"""The sandbox for BPMN scripts, gateway conditions, timer and DMN expressions.

Diagrams are edited in a browser by coordinators, so every expression in them is
untrusted input. Three layers: an AST policy with readable refusals
(:mod:`.policy`), RestrictedPython's compiler and guards plus our own bounded
operators (:mod:`.compiler`, :mod:`.bounds`), and a step budget that stops
runaway loops (:mod:`.bounds`).
"""

from engine.scripting.compiler import check_expression, check_script
from engine.scripting.script_engine import RestrictedScriptEngine

__all__ = ["RestrictedScriptEngine", "check_expression", "check_script"]
