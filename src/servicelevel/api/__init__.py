"""The REST API (FastAPI): parse, authorise, call a service, render. No business logic here."""
