"""Scenarios edited in the modeller: drafts, and the live overrides of workflows/scenarios/.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("scenario_source", "scenario_draft"):
        op.create_table(
            table,
            sa.Column("name", sa.String(length=200), nullable=False),
            sa.Column("source", sa.Text(), nullable=True),
            sa.Column("saved_by", sa.String(length=64), nullable=False),
            sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("name", name=op.f(f"pk_{table}")),
        )


def downgrade() -> None:
    op.drop_table("scenario_draft")
    op.drop_table("scenario_source")
