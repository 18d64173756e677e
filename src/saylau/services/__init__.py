"""Use cases with their transaction boundaries: the only layer the adapters (CLI, API) call.

A service opens one transaction per use case on a :class:`saylau.store.db.Store`, calls the
core and the store, and returns plain results for the adapter to render."""
