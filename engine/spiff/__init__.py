"""Adapters around SpiffWorkflow: parsing, serialization, time, inspection.

Everything that knows SpiffWorkflow's internals lives here, so a library
upgrade touches one folder.
"""
