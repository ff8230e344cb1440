"""Encryption at rest: AES-GCM with keys kept outside the database."""
