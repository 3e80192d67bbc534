"""All I/O the workflows need. Each activity is one Postgres transaction and idempotent."""
