"""Idempotency-Keys belong to the user who sent them: a retry by the same user is applied once, but
another user's request with the same key is their own request, applied on its own and never answered
with the first user's cached result."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from tests.api.pendientes.acciones.conftest import manana


def url(pendiente_id: int, resto: str = "") -> str:
    return f"/api/pendientes/{pendiente_id}{resto}"


def clave() -> dict[str, str]:
    return {"Idempotency-Key": f"k-{uuid.uuid4()}"}


async def test_dos_usuarios_postergan_con_la_misma_clave_y_se_aplican_las_dos(
    http, h, cuenta, crear, historial, personas
):
    otra = await cuenta("VER_TODOS", "POSTERGAR_PENDIENTE")
    otra_empleado = (await http.get("/api/usuarios/usuario", headers=otra)).json()["data"]["empleado"]["id"]
    pendiente_id = await crear("REGISTRADO")
    k = clave()
    primera_fecha, segunda_fecha = manana() + timedelta(days=1), manana() + timedelta(days=2)
    antes = len(await historial(pendiente_id))

    a = await http.post(
        url(pendiente_id, "/acciones/postergar"),
        json={"nuevaFecha": primera_fecha.isoformat(), "motivo": "cliente de viaje"},
        headers=k | h["coordinadora"],
    )
    repetida = await http.post(
        url(pendiente_id, "/acciones/postergar"),
        json={"nuevaFecha": primera_fecha.isoformat(), "motivo": "cliente de viaje"},
        headers=k | h["coordinadora"],
    )
    b = await http.post(
        url(pendiente_id, "/acciones/postergar"),
        json={"nuevaFecha": segunda_fecha.isoformat(), "motivo": "sigue de viaje"},
        headers=k | otra,
    )

    assert a.status_code == repetida.status_code == b.status_code == 200, b.text
    assert repetida.json()["data"] == a.json()["data"]  # the same user's retry: applied once
    assert b.json()["data"]["version"] == a.json()["data"]["version"] + 1
    assert datetime.fromisoformat(b.json()["data"]["fechaPendiente"]) == segunda_fecha
    nuevas = (await historial(pendiente_id))[antes:]
    assert [(f.accion, f.empleado_id, f.detalles) for f in nuevas] == [
        ("postergar", personas.actores["coordinadora"].empleado_id, "cliente de viaje"),
        ("postergar", otra_empleado, "sigue de viaje"),
    ]


async def test_la_clave_de_otro_usuario_no_devuelve_su_respuesta(http, h, crear, historial, personas):
    pendiente_id = await crear("ASIGNADO")
    k = clave()
    comenzado = await http.post(url(pendiente_id, "/acciones/comenzar"), headers=k | h["tecnico"])
    assert comenzado.status_code == 200 and comenzado.json()["data"]["estado"] == "EN_PROGRESO"

    r = await http.post(
        url(pendiente_id, "/acciones/cancelar"), json={"motivo": "desistió"}, headers=k | h["coordinadora"]
    )

    assert r.status_code == 200, r.text
    assert r.json()["data"]["estado"] == "CANCELADO"
    ultima = (await historial(pendiente_id))[-1]
    assert (ultima.accion, ultima.empleado_id) == ("cancelar", personas.actores["coordinadora"].empleado_id)


async def test_la_misma_clave_en_ediciones_de_dos_usuarios(http, h, crear, historial, personas):
    """Header edits scope their keys the same way (a shared key must not swallow the second edit)."""
    pendiente_id = await crear("REGISTRADO")
    k = clave()
    antes = len(await historial(pendiente_id))

    a = await http.put(url(pendiente_id), json={"direccion": "Jr. Lima 101"}, headers=k | h["coordinadora"])
    b = await http.put(url(pendiente_id), json={"direccion": "Jr. Puno 202"}, headers=k | h["administrador"])

    assert a.status_code == b.status_code == 200, b.text
    assert b.json()["data"]["direccion"] == "Jr. Puno 202"
    nuevas = (await historial(pendiente_id))[antes:]
    assert [(f.accion, f.empleado_id) for f in nuevas] == [
        ("editar", personas.actores["coordinadora"].empleado_id),
        ("editar", personas.actores["administrador"].empleado_id),
    ]
