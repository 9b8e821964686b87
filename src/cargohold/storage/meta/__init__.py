"""Metadata: SQLAlchemy schema, engine set-up and Alembic migrations."""
