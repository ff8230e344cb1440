"""Human-friendly, pseudonymous case references: ``PP-2026-000042``."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
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


def next_case_ref(session: Session, now: datetime) -> str:
    """The next number of the year, allocated inside the caller's transaction (gap-free)."""
    year = now.year
    query = select(CaseRefCounter).where(CaseRefCounter.year == year).with_for_update()
    counter = session.scalars(query).first()
    if counter is None:
        try:
            with session.begin_nested():
                session.add(CaseRefCounter(year=year, last_number=0))
        except IntegrityError:
            pass  # another transaction created this year's row first; lock theirs
        counter = session.scalars(query).one()
    counter.last_number += 1
    session.flush()
    return format_ref(year, counter.last_number)
