"""Work sessions follow the technician's actions; the history is readable and cannot be forged."""

from __future__ import annotations

import pytest

from tests.conftest import auth


def url(pendiente_id: int, resto: str = "") -> str:
    return f"/api/pendientes/{pendiente_id}{resto}"


async def _tiempos(http, tokens, pendiente_id: int) -> list[dict]:
    r = await http.get(url(pendiente_id, "/tiempos"), headers=auth(tokens["coordinadora"]))
    assert r.status_code == 200, r.text
    return r.json()["data"]


async def test_las_sesiones_se_abren_y_cierran_con_las_acciones(http, tokens, crear, personas):
    pendiente_id = await crear("ASIGNADO")
    tecnico = auth(tokens["tecnico"])

    await http.post(url(pendiente_id, "/acciones/comenzar"), headers=tecnico)
    abiertas = await _tiempos(http, tokens, pendiente_id)
    assert [t["horaFin"] for t in abiertas] == [None]
    assert abiertas[0]["empleadoId"] == personas.tecnicos[0].empleado_id

    await http.post(url(pendiente_id, "/acciones/pausar"), headers=tecnico)
    await http.post(url(pendiente_id, "/acciones/continuar"), headers=tecnico)
    await http.post(url(pendiente_id, "/acciones/terminar"), headers=tecnico)

    sesiones = await _tiempos(http, tokens, pendiente_id)
    assert len(sesiones) == 2 and all(t["horaFin"] for t in sesiones)
    assert sesiones[0]["horaInicio"] <= sesiones[1]["horaInicio"]


async def test_cerrar_ultimo_cierra_la_abierta_y_si_no_hay_da_409(http, tokens, crear):
    pendiente_id = await crear("EN_PROGRESO")
    ruta = f"/api/pendientes/tiempos/{pendiente_id}/cerrar-ultimo"

    r = await http.put(ruta, headers=auth(tokens["tecnico"]))
    assert r.status_code == 200 and r.json()["data"]["horaFin"] is not None
    otra = await http.put(ruta, headers=auth(tokens["tecnico"]))
    assert otra.status_code == 409


async def test_una_sola_sesion_abierta_por_tecnico(http, tokens, crear):
    pendiente_id = await crear("EN_PROGRESO")
    r = await http.post(
        "/api/pendientes/tiempos", json={"pendienteId": pendiente_id}, headers=auth(tokens["tecnico"])
    )
    assert r.status_code == 409


async def test_registro_manual_editar_y_borrar(http, tokens, crear):
    pendiente_id = await crear("ASIGNADO")
    cuerpo = {
        "pendienteId": pendiente_id,
        "horaInicio": "2026-11-20T08:00:00",
        "horaFin": "2026-11-20T09:30:00",
    }
    r = await http.post("/api/pendientes/tiempos", json=cuerpo, headers=auth(tokens["tecnico"]))
    assert r.status_code == 201, r.text
    tiempo = r.json()["data"]
    assert tiempo["minutos"] == 90 and tiempo["horaInicio"] == "2026-11-20T08:00:00-05:00"

    r = await http.put(
        f"/api/pendientes/tiempos/{tiempo['id']}",
        json={"descripcion": "empalme"},
        headers=auth(tokens["tecnico"]),
    )
    assert r.json()["data"]["descripcion"] == "empalme" and r.json()["data"]["minutos"] == 90

    r = await http.put(
        f"/api/pendientes/tiempos/{tiempo['id']}",
        json={"horaFin": "2026-11-20T07:00:00"},
        headers=auth(tokens["tecnico"]),
    )
    assert r.status_code == 422 and r.json()["data"]["campo"] == "horaFin"

    assert (
        await http.delete(f"/api/pendientes/tiempos/{tiempo['id']}", headers=auth(tokens["tecnico"]))
    ).status_code == 200
    assert await _tiempos(http, tokens, pendiente_id) == []
    assert (
        await http.delete(f"/api/pendientes/tiempos/{tiempo['id']}", headers=auth(tokens["tecnico"]))
    ).status_code == 404


async def test_un_tecnico_no_registra_tiempo_en_pendiente_ajeno(http, tokens, crear):
    pendiente_id = await crear("ASIGNADO", tecnico=1)
    r = await http.post(
        "/api/pendientes/tiempos", json={"pendienteId": pendiente_id}, headers=auth(tokens["tecnico"])
    )
    assert r.status_code == 403


@pytest.mark.parametrize("cuerpo", [{}, {"pendienteId": "x"}, {"pendienteId": 1, "horaInicio": "ayer"}])
async def test_tiempo_invalido_da_422(http, tokens, cuerpo):
    r = await http.post("/api/pendientes/tiempos", json=cuerpo, headers=auth(tokens["coordinadora"]))
    assert r.status_code == 422


async def test_historial_del_mas_antiguo_al_mas_reciente_con_nombres(http, tokens, crear):
    pendiente_id = await crear("EN_PROGRESO")
    r = await http.get(f"/api/historiales/pendiente/{pendiente_id}", headers=auth(tokens["asesor"]))
    assert r.status_code == 200
    entradas = r.json()["data"]
    assert [e["accion"] for e in entradas] == ["crear", "asignar", "comenzar"]
    assert (
        entradas[1]["empleadoNombre"] == "Carmen Condori" and entradas[2]["empleadoNombre"] == "Edwin Mamani"
    )
    assert entradas[2]["estadoAnterior"] == "ASIGNADO" and entradas[2]["estado"] == "EN_PROGRESO"


async def test_historial_requiere_ver_historial(http, tokens, crear):
    pendiente_id = await crear("ASIGNADO")
    r = await http.get(f"/api/historiales/pendiente/{pendiente_id}", headers=auth(tokens["tecnico"]))
    assert r.status_code == 403 and "VER_HISTORIAL" in r.json()["message"]
    r = await http.get("/api/historiales/pendiente/987654", headers=auth(tokens["asesor"]))
    assert r.status_code == 404


async def test_entrada_manual_con_el_actor_autenticado(http, tokens, crear, personas):
    pendiente_id = await crear("ASIGNADO")
    cuerpo = {"pendienteId": pendiente_id, "detalles": "Cliente llamó para confirmar la visita"}
    r = await http.post("/api/historiales", json=cuerpo, headers=auth(tokens["coordinadora"]))
    assert r.status_code == 201
    assert r.json()["data"]["empleadoId"] == personas.actores["coordinadora"].empleado_id
    assert r.json()["data"]["estado"] == "ASIGNADO" and r.json()["data"]["accion"] == "nota"


@pytest.mark.parametrize(
    ("extra", "campo"),
    [({"empleadoId": 1}, "empleadoId"), ({"estado": "FINALIZADO"}, "estado"), ({"detalles": ""}, "detalles")],
)
async def test_la_entrada_manual_no_falsea_actor_ni_estado(http, tokens, crear, historial, extra, campo):
    """The original stored whatever empleadoId and estado the client sent (§9 defect 15)."""
    pendiente_id = await crear("ASIGNADO")
    antes = len(await historial(pendiente_id))
    cuerpo = {"pendienteId": pendiente_id, "detalles": "intento"} | extra
    r = await http.post("/api/historiales", json=cuerpo, headers=auth(tokens["asesor"]))
    assert r.status_code == 422 and r.json()["data"]["campo"] == campo
    assert len(await historial(pendiente_id)) == antes
