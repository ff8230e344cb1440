"""Storage: the SQLAlchemy base, connection handling and Alembic migrations."""
