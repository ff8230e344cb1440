"""The migrations are the schema: models and migrated database agree, and they run both ways."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from engine.db.database import Database
from engine.db.migrate import alembic_config, is_up_to_date, upgrade
from engine.db.models import Base


def test_models_match_the_migrated_schema(database_url):
    database = Database(database_url)
    try:
        assert is_up_to_date(database)
        with database.sa_engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert diff == []
    finally:
        database.dispose()


def test_downgrade_and_upgrade_again(database_url):
    database = Database(database_url)
    try:
        with database.sa_engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        assert not is_up_to_date(database)
        upgrade(database)
        upgrade(database)  # idempotent
        assert is_up_to_date(database)
    finally:
        database.dispose()
