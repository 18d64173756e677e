"""Shared by every test folder: pytest imports this file first with its folder on the import
path, so the helpers next to it (``small_elections``) import as top-level modules."""
