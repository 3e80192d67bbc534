# One image for the three application processes of the production topology (docker-compose.yml):
#   api      the default CMD below
#   worker   python -m worker
#   migrate  python -m db.migrate
# All three run the installed package from site-packages: no source tree is kept in the image
# (the migrations and alembic.ini travel inside the `db` package as package data).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The processes run as an unprivileged user; the code stays owned by root, so they cannot modify it.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /home/app --create-home app

# Runtime dependencies only: the `dev` extra (pytest, ruff, the test server) is not installed. The build
# context is mounted for this one step (BuildKit) and installed with `pip install .` (not editable): the
# image holds the installed package and never the source tree, not even in a lower layer.
RUN --mount=type=bind,source=.,target=/src,rw \
    cd /src && pip install .

# Note images: the one place the processes write to. Owned by the runtime user and a volume in
# docker-compose.yml, so uploads are writable and survive a new container.
ENV UPLOADS_DIR=/var/lib/pendientes/uploads
RUN mkdir -p /var/lib/pendientes/uploads \
    && chown -R app:app /var/lib/pendientes
VOLUME ["/var/lib/pendientes/uploads"]

# A working directory with nothing importable in it: `api`, `worker` and `db` resolve to site-packages.
WORKDIR /home/app
USER app

EXPOSE 8000

# --no-server-header: answers do not name the server software. --timeout-graceful-shutdown: the board's
# open live streams (/tablero/vivo never ends by itself) do not hold a stop past 5 s.
CMD ["uvicorn", "api.main:app", "--no-server-header", "--timeout-graceful-shutdown", "5", "--host", "0.0.0.0", "--port", "8000"]
