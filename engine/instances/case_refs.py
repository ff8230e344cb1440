"""Human-friendly, pseudonymous case references: ``PP-2026-000042``."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import bindparam, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.instances.models import CaseRefCounter

PREFIX = "PP"
CASE_REF = re.compile(r"^PP-\d{4}-\d{6}$")


def normalise_ref(ref: object) -> object:
    """References are typed, read aloud and pasted: ``pp-2026-000001 `` is that case too.
    Anything that is not text is returned as it is (and found nowhere)."""
    return ref.strip().upper() if isinstance(ref, str) else ref


def format_ref(year: int, number: int) -> str:
    return f"{PREFIX}-{year}-{number:06d}"


_COUNTERS = CaseRefCounter.__table__
# One statement takes the next number: the UPDATE locks the year's row until the caller's
# transaction ends (PostgreSQL), or runs under SQLite's one write lock, so numbers are
# handed out once each and without gaps.
_TAKE_NEXT = (
    update(_COUNTERS)
    .where(_COUNTERS.c.year == bindparam("of_year"))
    .values(last_number=_COUNTERS.c.last_number + 1)
    .returning(_COUNTERS.c.last_number)
)
_FIRST_OF_YEAR = insert(_COUNTERS).values(year=bindparam("of_year"), last_number=0)


def next_case_ref(session: Session, now: datetime) -> str:
    """The next number of the year, allocated inside the caller's transaction (gap-free)."""
    year = now.year
    connection = session.connection()
    number = connection.execute(_TAKE_NEXT, {"of_year": year}).scalar()
    if number is None:
        try:
            with session.begin_nested():
                session.connection().execute(_FIRST_OF_YEAR, {"of_year": year})
        except IntegrityError:
            pass  # another transaction created this year's row first; take theirs
        number = connection.execute(_TAKE_NEXT, {"of_year": year}).scalar_one()
    return format_ref(year, number)
