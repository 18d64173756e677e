"""saylau: open election results that anyone can check."""

__version__ = "0.1.0"
