"""Small helpers every blueprint's views share."""

from __future__ import annotations

from flask import current_app, g

from engine.runtime import Engine
from engine.users.actors import Actor


def engine() -> Engine:
    return current_app.extensions["pathways"]


def actor() -> Actor:
    return g.actor
