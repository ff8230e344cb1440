"""Printable documents: the information-on-rights sheet and referral summaries."""

from webapp.documents.views import documents

__all__ = ["documents"]
