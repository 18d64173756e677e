"""Alembic migrations of the store; :meth:`saylau.store.db.Store.migrate` runs them."""
