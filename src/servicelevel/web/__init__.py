"""The web UI: server-rendered pages (Jinja2 + HTMX), thin over services like the API."""
