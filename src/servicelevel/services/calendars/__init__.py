"""Calendars (service hours) kept in the database."""
