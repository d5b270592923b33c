"""Parties: customers, internal teams and suppliers."""
