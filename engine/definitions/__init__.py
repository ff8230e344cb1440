"""Deployed pathway definitions: immutable, numbered versions per process key."""
