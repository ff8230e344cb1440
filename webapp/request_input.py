"""Reading what a request sends without trusting it.

Ids in paths, numbers in query strings and forms, and JSON bodies all come from whoever sends
the request. A value the app cannot use is answered with a 4xx and a plain message, before it
reaches the engine or the database, where it would otherwise end as a 500:

- ``<int:...>`` in any route takes only numbers the database's integer columns can hold
  (``<bigint:...>`` for 64-bit columns): anything larger names no row, so it is a 404, where the
  driver would have refused to bind it (SQLite past 2^63, PostgreSQL past the column's type);
- :func:`int_arg` reads an optional number from the query string or form the same way (400);
- NUL characters are refused in every path, query, form field and cookie (PostgreSQL cannot
  store or compare text holding them);
- :func:`json_body` parses JSON with a bound on nesting (a body of 100,000 ``[`` would otherwise
  exhaust Python's recursion limit), without NaN or Infinity, and without NUL characters
  (``engine/json_input.py``, which the modeller's form schemas and ``--data`` use too).
"""

from __future__ import annotations

from typing import Any

from flask import abort, request
from werkzeug.routing import IntegerConverter, Map

from engine.db.base import MAX_BIG_INTEGER, MAX_INTEGER
from engine.json_input import JsonRefused, loads_bounded

MAX_JSON_DEPTH = 32


class DatabaseIdConverter(IntegerConverter):
    """``<int:name>``: digits only, and no larger than a 32-bit integer column holds."""

    largest = MAX_INTEGER

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(url_map, *args, **kwargs)
        self.max = self.largest if self.max is None else min(self.max, self.largest)


class BigIdConverter(DatabaseIdConverter):
    """``<bigint:name>``: for 64-bit columns such as the audit trail's sequence numbers."""

    largest = MAX_BIG_INTEGER


CONVERTERS = {"int": DatabaseIdConverter, "bigint": BigIdConverter}


def int_arg(name: str, *, form: bool = False, largest: int = MAX_INTEGER) -> int | None:
    """An optional whole number from the query string (or the form): ``None`` when absent or
    empty; a plain 400 when it is not digits or is beyond what the database can hold."""
    values = request.form if form else request.args
    text = (values.get(name) or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(largest)):
        abort(400, description=f"'{name}' must be a whole number from 0 to {largest}.")
    number = int(text)
    if number > largest:
        abort(400, description=f"'{name}' must be a whole number from 0 to {largest}.")
    return number


def refuse_nul_characters() -> None:
    """``before_request``: a NUL in the path, the query, a form field or a cookie is a plain 400."""
    texts = [request.path]
    for values in (request.args, request.form, request.cookies):
        for key, value in values.items(multi=True):
            texts.extend((key, value))
    if any("\x00" in text for text in texts):
        abort(400, description="The request contains a NUL character, which no field accepts.")


def json_body() -> Any:
    """The request's JSON, or ``None`` when it sent none (or not as JSON).

    Parsed with :func:`engine.json_input.loads_bounded`: text that is not JSON, nesting deeper
    than ``MAX_JSON_DEPTH``, NaN or Infinity, and NUL characters in any string are a plain 400.
    """
    if not request.is_json:
        return None
    raw = request.get_data(cache=True)
    if not raw.strip():
        return None
    try:
        return loads_bounded(raw, max_depth=MAX_JSON_DEPTH)
    except JsonRefused as err:
        abort(400, description=f"The request body was refused: {err}.")
