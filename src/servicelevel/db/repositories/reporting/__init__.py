"""Queries of reporting: published reports and their files, the period's compliance figures counted
by the database, and the set-based health of many agreements at once."""
