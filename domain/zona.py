"""The one time zone of the product: every date a person sees or types is in Lima."""

from __future__ import annotations

from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

NOMBRE = "America/Lima"
# API, database reads, demo: the tz database, right for any historical date a form may carry.
LIMA = ZoneInfo(NOMBRE)
# Inside the workflow sandbox, a fixed offset needs no tz database: Peru keeps UTC-5 all year, with no
# DST since 1994, and work dates start in 2000 (api/comun/tipos.py ANIO_MINIMO_TRABAJO).
LIMA_FIJA = timezone(timedelta(hours=-5), NOMBRE)
