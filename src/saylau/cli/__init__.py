"""The ``saylau`` command line (Typer + Rich)."""
