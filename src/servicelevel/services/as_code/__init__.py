"""Everything as code: ``slm apply`` and ``slm export`` over YAML documents of every kind."""
