"""The pure service-level engine: calendars, business time, clocks, compliance, availability,
credits. Standard library and NumPy, with the clocks' walk compiled by Numba
(``clock_kernel``, imported only when an evaluation runs); no I/O, no database, ``now`` is
always passed in."""
