"""Chaos run: the product under load while its processes are killed, then every answer checked.

    .venv/bin/python -m bench.caos [--operaciones 910 --llamadores 30 --pendientes 65]
        [--fallos worker api temporal postgres] [--fraccion 0.3] [--semilla 9] [--directorio DIR]

It starts the product as `make run` does (the supervisor `python -m ops.run`, embedded Postgres,
Temporal dev server on its SQLite file, worker, uvicorn) in a temporary data directory on free loopback
ports, and runs one round per fault: fresh pendientes for each kind of client (with and without
Idempotency-Key, see carga.py), their callers at once, a `kill -9` of the worker, the API, the Temporal
server or Postgres once `--fraccion` of the operations is done (the supervisor brings it back), then
quiet, then the checks of verificacion.py. It prints a markdown table, one row per fault and client
kind, and exits 1 unless lost, duplicated, 4xx-yet-written and diverged are all 0. Every process it
started is stopped at the end; the data directory is removed unless given with --directorio.

The short version runs in `make test`: tests/bench/test_caos.py.
"""
