"""Persistence: SQLAlchemy 2 models, repository functions and Alembic migrations.

SQLite in one file (WAL mode) is the default, so the README's commands need nothing else;
``SAYLAU_DATABASE_URL`` selects PostgreSQL. Services open a :class:`Store` with
:func:`open_store`, run :meth:`Store.migrate`, and call the functions of
:mod:`saylau.store.repository` inside :meth:`Store.session`.
"""

from saylau.store.db import Store, database_url, open_store
from saylau.store.errors import ConflictError, NotFound, StoreError

__all__ = ["ConflictError", "NotFound", "Store", "StoreError", "database_url", "open_store"]
