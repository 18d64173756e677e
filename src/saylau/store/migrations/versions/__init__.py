"""One module per schema revision, written out explicitly (never generated at run time)."""
