"""Background workers: take jobs from the database table and run their handlers."""
