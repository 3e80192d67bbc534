# One image for the three application processes of the production topology (docker-compose.yml):
#   api      the default CMD below
#   worker   python -m worker
#   migrate  python -m db.migrate
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The processes run as an unprivileged user; the code stays owned by root, so they cannot modify it.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /home/app --create-home app

WORKDIR /app

# Runtime dependencies only: the `dev` extra (pytest, ruff, the test server) is not installed.
COPY pyproject.toml ./
COPY pendientes ./pendientes
RUN pip install . \
    && rm -rf build ./*.egg-info

# The source tree stays in /app (the working directory) as well: `python -m ...` and uvicorn import from it,
# so non-Python files next to the code (Alembic's env and revision files) are found even though the wheel
# built by `pip install .` holds only Python packages.
USER app

EXPOSE 8000

# --no-server-header: answers do not name the server software.
CMD ["uvicorn", "api.main:app", "--no-server-header", "--host", "0.0.0.0", "--port", "8000"]
