"""The modeller's pathway drafts and browser-edited form sources.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pathway_draft",
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("saved_by", sa.String(length=64), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("file_name", name=op.f("pk_pathway_draft")),
    )
    op.create_table(
        "form_source",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("schema_json", sa.Text(), nullable=False),
        sa.Column("saved_by", sa.String(length=64), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_form_source")),
    )


def downgrade() -> None:
    op.drop_table("form_source")
    op.drop_table("pathway_draft")
