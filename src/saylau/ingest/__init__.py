"""Parsers from outside formats into the core model. Errors name the file, row and field."""
