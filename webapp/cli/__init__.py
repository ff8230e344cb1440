"""The ``pathways`` command line.

Expected failures (bad input, conflicts, refusals, unknown ids) print one
plain message to stderr and exit non-zero without a traceback; the exit
status says which kind (see ``engine.errors``).
"""

from webapp.cli import (
    accountability_commands,
    admin_commands,
    backup_commands,
    migration_commands,
    scenario_commands,
    workflow_commands,
)
from webapp.cli.base import cli

__all__ = [
    "accountability_commands",
    "admin_commands",
    "backup_commands",
    "cli",
    "main",
    "migration_commands",
    "scenario_commands",
    "workflow_commands",
]


def main() -> None:
    cli()
