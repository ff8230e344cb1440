"""The sandbox for BPMN scripts, gateway conditions, timer and DMN expressions.

Diagrams are edited in a browser by coordinators, so every expression in them is
untrusted input. An AST policy with readable refusals (:mod:`.policy`);
RestrictedPython's compiler and guards plus our own bounded operators and a
step budget, which refuse the common mistakes early and readably
(:mod:`.compiler`, :mod:`.bounds`); and the guarantee: everything but cheap
expressions (:mod:`.cheap`) runs in a worker process the kernel stops at its CPU
and memory limits (:mod:`.isolation`, :mod:`.worker`).
"""

from engine.scripting.compiler import check_expression, check_script
from engine.scripting.script_engine import RestrictedScriptEngine

__all__ = ["RestrictedScriptEngine", "check_expression", "check_script"]
