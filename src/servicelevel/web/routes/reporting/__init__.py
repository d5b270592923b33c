"""Reporting pages: service reports live and published, their PDFs as jobs, report schedules."""
