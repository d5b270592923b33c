"""The pure service-level engine: calendars, business time, clocks, compliance, availability,
credits. Standard library and NumPy only; no I/O, no database, ``now`` is always passed in."""
