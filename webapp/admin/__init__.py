"""The administrator console (``/admin``): oversight, operations, people, and the dashboard."""

from webapp.admin import (  # noqa: F401 - importing the views registers their routes
    accountability,
    audit_views,
    dashboard,
    incidents,
    migrations,
    oversight,
    people,
)
from webapp.admin.blueprint import admin

__all__ = ["admin"]
