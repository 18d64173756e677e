"""The public results portal: server-rendered pages (Jinja2), SVG charts and maps, the
language catalogues, and the static site built from a published bundle."""
