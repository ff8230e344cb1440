"""Parallel multi-instance outputs in the order of their inputs, not of their completion.

SpiffWorkflow appends each instance's output item to the output collection when
that instance completes (notes, pitfall 16): three family members contacted in
parallel come back in whatever order the caseworkers finished. Whoever reads the
list later (a report, the next step's script) expects it to line up with the
input list. :func:`install` wraps the merge once, at import, like the clock seam:
the item is inserted at its input position among the items merged so far, so
the list is in input order at every moment, and the order of completion that
SpiffWorkflow keeps for its completion condition is left alone.
"""

from __future__ import annotations

from collections.abc import Mapping

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask

_ORIGINAL = MultiInstanceTask.merge_child


def _appended(spec: MultiInstanceTask, my_task, child) -> list | None:
    """The output list when SpiffWorkflow appended to it (not set by key or index)."""
    if spec.data_output is None or spec.output_item is None:
        return None
    output = spec.data_output.get(my_task)
    data_input = spec.data_input.get(my_task) if spec.data_input is not None else None
    keyed = child.internal_data.get("key_or_index") is not None and (
        isinstance(output, Mapping) or data_input is output
    )
    return output if isinstance(output, list) and not keyed else None


def _merge_in_input_order(self: MultiInstanceTask, workflow, child) -> None:
    my_task = child.parent
    _ORIGINAL(self, workflow, child)
    output = _appended(self, my_task, child)
    if not output:
        return
    position = {str(c.id): index for index, c in enumerate(my_task.children)}
    mine = position.get(str(child.id), len(position))
    merged_before = my_task.internal_data.get("merged", [])[:-1]
    earlier = sum(1 for other in merged_before if position.get(other, -1) < mine)
    output.insert(earlier, output.pop())


def install() -> None:
    """Idempotent; called when the engine's SpiffWorkflow adapters are imported."""
    if MultiInstanceTask.merge_child is _ORIGINAL:
        MultiInstanceTask.merge_child = _merge_in_input_order


install()
