"""Where each pathway version came from: a shipped file, or an edit in the modeller.

Versions deployed before this revision are taken as shipped files: nothing recorded which of
them were edited in the browser.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("process_definition") as table:
        table.add_column(
            sa.Column("origin", sa.String(length=20), nullable=False, server_default="file")
        )
        table.add_column(sa.Column("edited_from", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("process_definition") as table:
        table.drop_column("edited_from")
        table.drop_column("origin")
