"""Adapters around SpiffWorkflow: parsing, serialization, time, inspection.

Everything that knows SpiffWorkflow's internals lives here, so a library
upgrade touches one folder.
"""

from engine.spiff import multi_instance  # noqa: F401 - installs input-ordered outputs
