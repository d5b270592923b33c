"""The demo: a small IT provider with a year of history, loaded by ``slm demo load`` (and the
tests and benchmarks), with its data files (calendars). It sits above the services — it calls
them as any adapter does — and nothing but the CLI, the tests and the benchmarks imports it."""
