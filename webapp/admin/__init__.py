"""The administrator console (``/admin``): oversight, operations, people, and the dashboard."""

from webapp.admin import audit_views, dashboard, incidents, oversight, people  # noqa: F401
from webapp.admin.blueprint import admin

__all__ = ["admin"]
