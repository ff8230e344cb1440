"""Shared fixtures: a fresh, migrated database per test, on SQLite or PostgreSQL.

The schema always comes from the real Alembic migrations: once per session into
a template (a SQLite file, or a PostgreSQL template database), then copied per
test, which is much faster than migrating each time and keeps tests isolated
even when they commit from several threads.

Set ``DATABASE_URL`` to a PostgreSQL URL to run the whole suite there
(``.ci/run`` does). Time: the process runs in UTC, and every engine gets a
``FixedClock`` that tests move explicitly.
"""

from __future__ import annotations

import os
import time

os.environ["TZ"] = "UTC"
time.tzset()

import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy.engine import make_url

from engine.clock import FixedClock
from engine.config import PROJECT_ROOT, Settings
from engine.crypto.keyring import Keyring, encode_key, new_key
from engine.db.database import Database, normalise_url
from engine.db.migrate import upgrade
from engine.runtime import Engine
from engine.users import passwords
from tests.support.web import PASSWORD, sign_in
from webapp.app import create_app

# Argon2 at production cost is about 0.4 s a hash here, and the suite hashes and verifies
# thousands of passwords. The same algorithm at its minimal cost keeps tests fast; the app and
# the CLI (subprocess tests included) keep RFC 9106's defaults.
passwords.use_hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))

# Fixtures shared beyond one folder: ``checked_saves`` (every save equal to the state
# converted afresh, every walk of the task tree equal to SpiffWorkflow's iterator).
pytest_plugins = ["tests.support.save_check"]

PG_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = PG_URL.startswith("postgres")
_counter = itertools.count()


def pytest_report_header(config):
    return f"database: {'PostgreSQL ' + make_url(normalise_url(PG_URL)).render_as_string() if ON_POSTGRES else 'SQLite'}"


def pytest_collection_modifyitems(config, items):
    if ON_POSTGRES:
        return
    skip = pytest.mark.skip(reason="needs DATABASE_URL pointing at PostgreSQL (.ci/run sets it)")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


def _admin_engine() -> sa.Engine:
    url = make_url(normalise_url(PG_URL))
    return sa.create_engine(url, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def template(tmp_path_factory) -> Iterator[str]:
    """A migrated database to copy: a file path (SQLite) or a database name (PostgreSQL)."""
    if not ON_POSTGRES:
        path = tmp_path_factory.mktemp("template") / "template.db"
        database = Database(f"sqlite:///{path}")
        upgrade(database)
        with database.sa_engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        database.dispose()
        yield str(path)
        return
    name = f"pp_template_{os.getpid()}"
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    database = Database(make_url(normalise_url(PG_URL)).set(database=name).render_as_string(False))
    upgrade(database)
    database.dispose()
    yield name
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _copy(template: str, name: str, folder: Path) -> str:
    """A new database from a template: its URL."""
    if not ON_POSTGRES:
        target = folder / f"{name}.db"
        shutil.copyfile(template, target)
        return f"sqlite:///{target}"
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    admin.dispose()
    return make_url(normalise_url(PG_URL)).set(database=name).render_as_string(False)


def _drop(name: str) -> None:
    if ON_POSTGRES:
        admin = _admin_engine()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="session")
def deployed_template(template: str, tmp_path_factory, session_key: bytes) -> Iterator[str]:
    """The migrated template with the shipped pathways deployed and one user per role (what
    every web test starts from), built once: deploying them costs about half a second."""
    folder = tmp_path_factory.mktemp("deployed")
    name = f"pp_deployed_{os.getpid()}"
    url = _copy(template, name, folder)
    settings = Settings(
        var_dir=folder / "var",
        database_url=url,
        forms_dir=PROJECT_ROOT / "forms",
        workflows_dir=PROJECT_ROOT / "workflows",
    )
    engine = Engine(settings, keyring=Keyring([session_key]), clock=FixedClock())
    engine.deploy(actor="system")
    for role in ROLES:
        engine.add_user(role, roles=[role], password=PASSWORD)
    engine.close()
    if not ON_POSTGRES:
        with sa.create_engine(url).connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    yield str(folder / f"{name}.db") if not ON_POSTGRES else name
    _drop(name)


@pytest.fixture
def database_url(request, template: str, tmp_path: Path) -> Iterator[str]:
    """This test's own database: from the deployed template for web tests (``web_engine``),
    else from the migrated one."""
    if "web_engine" in request.fixturenames:
        template = request.getfixturevalue("deployed_template")
    name = f"pp_test_{os.getpid()}_{next(_counter)}"
    yield _copy(template, name if ON_POSTGRES else "pathways", tmp_path)
    _drop(name)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture(scope="session")
def session_key() -> bytes:
    return new_key()


@pytest.fixture
def data_key(session_key: bytes) -> bytes:
    """One key for the session: each test has its own database, and the deployed template's
    trail was written with it. Tests about keys make their own."""
    return session_key


@pytest.fixture
def keyring(data_key: bytes) -> Keyring:
    return Keyring([data_key])


@pytest.fixture
def cli_env(database_url: str, data_key: bytes, tmp_path: Path) -> dict[str, str]:
    """Environment for running ``python -m webapp.cli`` against this test's database and key."""
    return dict(
        os.environ,
        DATABASE_URL=database_url,
        PATHWAYS_VAR=str(tmp_path / "var"),
        PATHWAYS_DATA_KEYS=encode_key(data_key),
        TZ="UTC",
    )


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        var_dir=tmp_path / "var",
        database_url=database_url,
        forms_dir=PROJECT_ROOT / "forms",
        workflows_dir=PROJECT_ROOT / "workflows",
    )


@pytest.fixture
def engine(settings: Settings, keyring: Keyring, clock: FixedClock) -> Iterator[Engine]:
    eng = Engine(settings, keyring=keyring, clock=clock)
    yield eng
    eng.close()


@pytest.fixture
def people(engine: Engine) -> dict[str, str]:
    """Standard users by role; values are usernames."""
    accounts = {
        "admin": ["admin"],
        "coordinator": ["coordinator"],
        "responder": ["first_responder"],
        "caseworker": ["caseworker"],
        "caseworker2": ["caseworker"],
        "outsider": ["legal_aid"],
    }
    for username, roles in accounts.items():
        engine.add_user(username, roles=roles)
    return {name: name for name in accounts}


# -- web ------------------------------------------------------------------------------------

ROLES = [
    "admin",
    "coordinator",
    "supervisor",
    "first_responder",
    "caseworker",
    "identification_officer",
    "child_protection_officer",
    "legal_adviser",
    "return_officer",
]


@pytest.fixture
def web_engine(engine):
    """An engine on a copy of the deployed template: the shipped pathways, one user per role
    (username = role, password ``PASSWORD``)."""
    return engine


@pytest.fixture
def app(web_engine):
    application = create_app(web_engine)
    application.config["TESTING"] = True
    return application


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def signed_in(app):
    """``signed_in("caseworker")`` -> a test client with that user's session."""

    def make(username: str):
        client = app.test_client()
        response = sign_in(client, username)
        assert response.status_code == 302, response.text
        return client

    return make
