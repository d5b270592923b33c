"""Readers for the documented file formats (YAML calendars, agreements and outages; CSV tickets
and outages) that turn files into engine objects, with errors that name file, line and field."""
