"""/api/reportes/sla: compliance with the resolution deadline for the pendientes created in a range.

The cohort is written straight into Postgres on a day long past (no other test creates pendientes
then), each row with the SLA outcome the workflow would have recorded; the expected figures are worked
out by hand below, with percentiles by linear interpolation (Postgres' percentile_cont)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from db import models as m
from domain.zona import LIMA

URL = "/api/reportes/sla"
HORA = 3600
DIA = datetime.now(LIMA).date() - timedelta(days=800)


def _en(dia, hora: int = 10) -> datetime:
    return datetime.combine(dia, time(hora), LIMA)


@pytest.fixture(scope="module")
async def cohorte(sessions, demo):
    async with sessions.begin() as s:
        cliente = await s.scalar(select(m.Cliente.id).order_by(m.Cliente.id).limit(1))
        a, b = list(await s.scalars(select(m.Empleado.id).order_by(m.Empleado.id).limit(2)))

        def fila(tipo, lugar, tecnico, estado, horas, sla="EN_PLAZO", creado=None, **extra):
            valores = dict(
                cliente_id=cliente,
                registrado_por=a,
                asignado_a=tecnico,
                tipo=tipo,
                lugar=lugar,
                prioridad="MUY_URGENTE",
                estado=estado,
                fecha_creacion=creado or _en(DIA),
                sla_plazo_seg=4 * HORA,
                sla_consumido_seg=round(horas * HORA),
                sla_nivel=100 if sla == "INCUMPLIDO" else 0,
                estado_sla=sla,
            )
            s.add(m.Pendiente(**(valores | extra)))

        fila("AVERIA", "PUNO", a, "FINALIZADO", 1)
        fila("AVERIA", "PUNO", a, "FINALIZADO", 2, creado=datetime.combine(DIA, time.min, LIMA))
        fila("AVERIA", "JULI", b, "FINALIZADO", 3)
        fila("TRASLADO", "JULI", b, "FINALIZADO", 4)  # exactly on the deadline: within it
        fila("TRASLADO", "PUNO", a, "FINALIZADO", 10, sla="INCUMPLIDO")
        fila("TRASLADO", "PUNO", None, "REGISTRADO", 6, sla="INCUMPLIDO")  # an open breach
        fila("AVERIA", "JULI", b, "EN_PROGRESO", 2.5, sla="EN_RIESGO")
        fila("AVERIA", "PUNO", a, "CANCELADO", 1)  # neither open nor resolved
        # Not counted: deleted, without a clock (created before the SLA existed), the next day.
        fila("AVERIA", "PUNO", a, "FINALIZADO", 1, vigente=False)
        fila("AVERIA", "PUNO", a, "FINALIZADO", 1, sla_plazo_seg=None, estado_sla=None)
        fila(
            "AVERIA",
            "PUNO",
            a,
            "FINALIZADO",
            1,
            creado=datetime.combine(DIA + timedelta(days=1), time.min, LIMA),
        )
    return a, b


def _cifras(fila: dict) -> tuple:
    return (
        fila["creados"],
        fila["resueltos"],
        fila["resueltosEnPlazo"],
        fila["porcentajeEnPlazo"],
        fila["medianaHoras"],
        fila["p90Horas"],
        fila["abiertos"],
        fila["incumplidosAbiertos"],
    )


async def test_cumplimiento_por_tipo_lugar_y_tecnico(http, h, cohorte):
    a, b = cohorte
    r = await http.get(URL, params={"desde": str(DIA), "hasta": str(DIA)}, headers=h["coordinadora"])
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    # Resolved in 1, 2, 3, 4 and 10 h: 4 of 5 within 4 h, median 3, p90 at 3.6 -> 4 + 0.6 * 6.
    assert _cifras(data["total"]) == (8, 5, 4, 80.0, 3.0, 7.6, 2, 1)
    assert {f["clave"]: _cifras(f) for f in data["porTipo"]} == {
        "AVERIA": (5, 3, 3, 100.0, 2.0, 2.8, 1, 0),
        "TRASLADO": (3, 2, 1, 50.0, 7.0, 9.4, 1, 1),
    }
    assert {f["clave"]: _cifras(f) for f in data["porLugar"]} == {
        "PUNO": (5, 3, 2, 66.7, 2.0, 8.4, 1, 1),
        "JULI": (3, 2, 2, 100.0, 3.5, 3.9, 1, 0),
    }
    assert {f["clave"]: _cifras(f) for f in data["porTecnico"]} == {
        str(a): (4, 3, 2, 66.7, 2.0, 8.4, 0, 0),
        str(b): (3, 2, 2, 100.0, 3.5, 3.9, 1, 0),
        "SIN_TECNICO": (1, 0, 0, None, None, None, 1, 1),
    }
    nombres = {f["clave"]: f["nombre"] for f in data["porTecnico"]}
    assert nombres["SIN_TECNICO"] is None and nombres[str(a)] and nombres[str(b)]


async def test_un_rango_sin_pendientes_da_ceros(http, h, cohorte):
    vacio = DIA - timedelta(days=30)
    r = await http.get(URL, params={"desde": str(vacio), "hasta": str(vacio)}, headers=h["asesor"])
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert _cifras(data["total"]) == (0, 0, 0, None, None, None, 0, 0)
    assert data["porTipo"] == data["porLugar"] == data["porTecnico"] == []


async def test_sin_fechas_son_los_ultimos_30_dias(http, h):
    r = await http.get(URL, headers=h["coordinadora"])
    assert r.status_code == 200, r.text
    hoy = datetime.now(LIMA).date()
    data = r.json()["data"]
    assert (data["desde"], data["hasta"]) == (str(hoy - timedelta(days=29)), str(hoy))


@pytest.mark.parametrize(
    "params, campo",
    [
        ({"desde": "2026-05-10", "hasta": "2026-05-01"}, "hasta"),
        ({"desde": "2024-01-01", "hasta": "2026-01-01"}, "desde"),
        ({"desde": "ayer"}, "desde"),
    ],
)
async def test_un_rango_invalido_da_422_nombrando_el_campo(http, h, params, campo):
    r = await http.get(URL, params=params, headers=h["coordinadora"])
    assert r.status_code == 422, r.text
    assert r.json()["data"]["campo"] == campo


async def test_quien_no_ve_todos_los_pendientes_no_lo_lee(http, h):
    r = await http.get(URL, headers=h["tecnico"])
    assert r.status_code == 403
    assert "VER_TODOS" in r.json()["message"]
    assert (await http.get(URL)).status_code == 401
