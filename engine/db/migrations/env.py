"""Alembic environment: runs against the connection handed in by ``engine.db.migrate``."""

from alembic import context
from engine.db.base import UTCDateTime
from engine.db.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run migrations through `pathways db upgrade`, which supplies the connection"
    )


def render_item(type_, obj, _autogen_context):
    """Migrations spell plain SQLAlchemy types, never the app's own classes."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_item=render_item,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
