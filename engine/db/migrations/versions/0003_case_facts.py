"""Case facts: what a case's pathways have established, shared across its instances.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_facts",
        sa.Column("case_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["protection_case.id"], name=op.f("fk_case_facts_case_id_protection_case")
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_facts")),
    )


def downgrade() -> None:
    op.drop_table("case_facts")
