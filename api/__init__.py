"""HTTP layer: authenticate, validate, send Updates/Signals, read from Postgres. Thin by design."""
