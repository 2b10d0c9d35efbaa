"""Store schema and migrations on SQLite and PostgreSQL."""
