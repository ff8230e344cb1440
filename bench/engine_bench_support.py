"""Helpers the benchmark scripts share."""

from __future__ import annotations

from engine.db.database import normalise_url


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def fresh_postgres(server_url: str, name: str = "pp_bench") -> str:
    """A new, empty database on the given server; returns its URL."""
    import sqlalchemy as sa

    url = sa.engine.make_url(normalise_url(server_url))
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)
