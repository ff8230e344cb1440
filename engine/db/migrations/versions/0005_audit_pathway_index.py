"""Audit search by pathway pages by sequence like the other filters.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_event_process", "audit_event", ["process_key", "seq"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_audit_event_process", table_name="audit_event")
