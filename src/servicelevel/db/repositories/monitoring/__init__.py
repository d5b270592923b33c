"""Queries of monitoring: tickets and outages, measurements, clock alerts and breaches, the ticket
queue and the per-team reads."""
