"""Issue 10 §4 in seguimiento: a 422 names the field as the API spells it (camelCase), even when the
client sent the Python name of a tiempo, historial or notificación field."""

from __future__ import annotations


def assert_422_nombra(r, campo: str) -> None:
    assert r.status_code == 422, r.text
    assert r.json()["data"]["campo"] == campo, r.json()


async def test_tiempo_con_hora_invalida_en_snake_la_nombra_en_camel(http, h, crear):
    pendiente_id = await crear("EN_PROGRESO")
    cuerpo = {"pendienteId": pendiente_id, "hora_fin": "a las nueve"}
    r = await http.post("/api/pendientes/tiempos", json=cuerpo, headers=h["coordinadora"])
    assert_422_nombra(r, "horaFin")


async def test_historial_con_empleado_invalido_en_snake_lo_nombra_en_camel(http, h, crear):
    pendiente_id = await crear("REGISTRADO")
    cuerpo = {"pendiente_id": pendiente_id, "detalles": "llamada", "empleado_id": "yo"}
    r = await http.post("/api/historiales", json=cuerpo, headers=h["coordinadora"])
    assert_422_nombra(r, "empleadoId")


async def test_notificacion_con_destinatario_invalido_en_snake_lo_nombra_en_camel(http, h):
    cuerpo = {"titulo": "aviso", "usuario_id": -3}
    r = await http.post("/api/notificaciones", json=cuerpo, headers=h["administrador"])
    assert_422_nombra(r, "usuarioId")
