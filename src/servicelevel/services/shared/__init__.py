"""What every use case leans on: business errors carrying their HTTP status, the unit of
work for adapters without a request, input checks, the job queue, the database's schema, posting
to a webhook."""
