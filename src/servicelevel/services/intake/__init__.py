"""Tickets in: events stored idempotently, from files, webhooks, an inbox for one-event feeds,
and connections that pull from ticket systems (and write back)."""
