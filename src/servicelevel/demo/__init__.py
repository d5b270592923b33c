"""Demo data files (calendars) shipped with the package for ``slm demo load``."""
