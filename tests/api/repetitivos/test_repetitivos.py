"""/api/repetitivos: create, read, list, edit, delete; the 422s name the field as the API spells it;
403 by role; 404 for unknown ids; the next occurrences shown are the rule's, computed here on our own."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import pytest

from tests.api.pendientes.conftest import error
from tests.api.repetitivos.conftest import LIMA, ahora, regla_diaria

HOY = ahora().date


def _resumen(descripcion) -> str:
    """The summary each occurrence's workflow shows in the Temporal UI (a raw JSON payload here)."""
    return json.loads(descripcion.schedule.action.static_summary.data)


async def test_crear_leer_listar_y_editar(http, h, personas, cliente_propio, plantilla, programa):
    cliente = await cliente_propio()
    tecnico = personas.tecnicos[1].empleado_id
    regla = {
        "frecuencia": "MENSUAL",
        "diasMes": [15, 1, 15],
        "hora": "08:30",
        "fechaInicio": HOY().isoformat(),
        "fechaFin": (HOY() + timedelta(days=400)).isoformat(),
    }
    rep = await plantilla(
        cliente,
        nombre="Mantenimiento mensual de cámaras",
        tipo="INSTALACION_CAMARAS",
        detalle=None,
        empresa="SIMAX",
        tecnicoId=tecnico,
        regla=regla,
    )
    assert rep["nombre"] == "Mantenimiento mensual de cámaras" and rep["tipo"] == "INSTALACION_CAMARAS"
    assert (rep["clienteId"], rep["tecnicoId"], rep["pausado"]) == (cliente, tecnico, False)
    assert rep["tecnico"].startswith("Wilber")
    assert rep["regla"] == {
        "frecuencia": "MENSUAL",
        "cada": 1,
        "diasSemana": [],
        "diasMes": [1, 15],
        "hora": "08:30",
        "fechaInicio": regla["fechaInicio"],
        "fechaFin": regla["fechaFin"],
    }
    assert rep["programa"] == f"repetitivo-{rep['id']}"
    # The Schedule names its template in the Temporal UI.
    descripcion = await programa(rep["id"]).describe()
    assert "Mantenimiento mensual de cámaras" in _resumen(descripcion)
    assert (await descripcion.memo())["nombre"] == "Mantenimiento mensual de cámaras"
    assert descripcion.schedule.action.workflow == "OcurrenciaRepetitivoWorkflow"

    r = await http.get(f"/api/repetitivos?clienteId={cliente}", headers=h["asesor"])
    assert r.status_code == 200, r.text
    pagina = r.json()["data"]
    assert pagina["totalElements"] == 1 and pagina["content"][0]["id"] == rep["id"]

    cambios = {"nombre": "Cámaras: revisión", "prioridad": "URGENTE", "regla": regla_diaria(cada=2)}
    r = await http.patch(f"/api/repetitivos/{rep['id']}", json=cambios, headers=h["coordinadora"])
    assert r.status_code == 200, r.text
    editado = r.json()["data"]
    assert (editado["nombre"], editado["prioridad"], editado["regla"]["frecuencia"]) == (
        "Cámaras: revisión",
        "URGENTE",
        "DIARIA",
    )
    assert editado["tecnicoId"] == tecnico and editado["tipo"] == "INSTALACION_CAMARAS"
    descripcion = await programa(rep["id"]).describe()
    assert "Cámaras: revisión" in _resumen(descripcion)
    assert descripcion.schedule.spec.intervals[0].every == timedelta(days=2)

    r = await http.patch(f"/api/repetitivos/{rep['id']}", json={"tecnicoId": None}, headers=h["coordinadora"])
    assert r.status_code == 200 and r.json()["data"]["tecnicoId"] is None


async def test_la_edicion_de_una_plantilla_pausada_la_deja_pausada(
    http, h, cliente_propio, plantilla, programa
):
    rep = await plantilla(await cliente_propio())
    url = f"/api/repetitivos/{rep['id']}"
    assert (await http.post(f"{url}/pausar", headers=h["coordinadora"])).status_code == 200
    r = await http.patch(url, json={"regla": regla_diaria(hora="10:15")}, headers=h["coordinadora"])
    assert r.status_code == 200 and r.json()["data"]["pausado"] is True
    assert (await programa(rep["id"]).describe()).schedule.state.paused


def _cuerpo(cliente_id: int, **campos) -> dict:
    base = {
        "nombre": "Revisión",
        "tipo": "AVERIA",
        "clienteId": cliente_id,
        "prioridad": "MEDIA",
        "lugar": "JULIACA",
        "regla": regla_diaria(),
    }
    return base | campos


def _dia(desde_hoy: int) -> str:
    return (HOY() + timedelta(days=desde_hoy)).isoformat()


def _regla(**campos) -> dict:
    return {"regla": regla_diaria(**campos)}


INVALIDOS = [
    (_regla(frecuencia="SEMANAL"), "regla.diasSemana"),
    (_regla(diasSemana=["LUNES"]), "regla.diasSemana"),
    (_regla(frecuencia="SEMANAL", diasSemana=["FERIADO"]), "regla.diasSemana.0"),
    (_regla(frecuencia="MENSUAL"), "regla.diasMes"),
    (_regla(frecuencia="MENSUAL", diasMes=[32]), "regla.diasMes.0"),
    (_regla(frecuencia="MENSUAL", diasMes=[1], cada=2), "regla.cada"),
    (_regla(diasMes=[3]), "regla.diasMes"),
    (_regla(cada=0), "regla.cada"),
    (_regla(cada=366), "regla.cada"),
    (_regla(frecuencia="SEMANAL", diasSemana=["LUNES"], cada=53), "regla.cada"),
    (_regla(frecuencia="ANUAL"), "regla.frecuencia"),
    (_regla(hora="25:00"), "regla.hora"),
    (_regla(hora="09:00:30"), "regla.hora"),
    (_regla(fechaInicio="1999-12-31"), "regla.fechaInicio"),
    (_regla(fechaInicio=_dia(-30), fechaFin=_dia(-1)), "regla.fechaFin"),
    (_regla(fechaInicio=_dia(9), fechaFin=_dia(8)), "regla.fechaFin"),
    (_regla(semanas=2), "regla.semanas"),
    ({"regla": None}, "regla"),
    ({"nombre": "  "}, "nombre"),
    ({"tipo": "TRASLADO"}, "detalle.lugarDestino"),
    ({"detalle": {"velocidad": "100 Mbps"}}, "detalle.velocidad"),
    ({"prioridad": "ALTA"}, "prioridad"),
    ({"frecuencia": "DIARIA"}, "frecuencia"),
]  # fmt: skip


@pytest.mark.parametrize(("campos", "campo"), INVALIDOS)
async def test_datos_invalidos_son_422_con_el_campo(http, h, cliente_propio, campos, campo):
    cliente = await cliente_propio()
    r = await http.post("/api/repetitivos", json=_cuerpo(cliente, **campos), headers=h["coordinadora"])
    error(r, 422, campo)
    assert (await http.get(f"/api/repetitivos?clienteId={cliente}", headers=h["coordinadora"])).json()[
        "data"
    ]["totalElements"] == 0


async def test_referencias_invalidas(http, h, personas, cliente_propio, plantilla):
    cliente = await cliente_propio()
    # Dispatch's own empleado cannot execute work: not a technician.
    no_tecnico = personas.actores["coordinadora"].empleado_id
    r = await http.post(
        "/api/repetitivos", json=_cuerpo(cliente, tecnicoId=no_tecnico), headers=h["coordinadora"]
    )
    error(r, 422, "tecnicoId")
    r = await http.post("/api/repetitivos", json=_cuerpo(999_999_999), headers=h["coordinadora"])
    error(r, 404, "clienteId")
    rep = await plantilla(cliente)
    url = f"/api/repetitivos/{rep['id']}"
    error(await http.patch(url, json={"nombre": None}, headers=h["coordinadora"]), 422, "nombre")
    error(await http.patch(url, json={"tecnicoId": no_tecnico}, headers=h["coordinadora"]), 422, "tecnicoId")
    error(
        await http.patch(url, json={"tipo": "TRASLADO"}, headers=h["coordinadora"]),
        422,
        "detalle.lugarDestino",
    )
    error(await http.patch(url, json={"regla": {"frecuencia": "SEMANAL"}}, headers=h["coordinadora"]), 422)
    error(await http.patch(url, json={"estado": "X"}, headers=h["coordinadora"]), 422, "estado")
    # Nothing of the refused edits stuck.
    r = await http.get(url, headers=h["coordinadora"])
    assert r.json()["data"]["nombre"] == rep["nombre"] and r.json()["data"]["tipo"] == "AVERIA"


async def test_permisos_por_rol(http, h, personas, cliente_propio, plantilla):
    cliente = await cliente_propio()
    tecnico = personas.tecnicos[0].empleado_id
    rep = await plantilla(cliente, tecnicoId=tecnico)
    url = f"/api/repetitivos/{rep['id']}"
    # The technician neither reads nor manages templates.
    for r in (
        await http.get("/api/repetitivos", headers=h["tecnico"]),
        await http.get(url, headers=h["tecnico"]),
        await http.post("/api/repetitivos", json=_cuerpo(cliente), headers=h["tecnico"]),
        await http.post(f"{url}/pausar", headers=h["tecnico"]),
        await http.delete(url, headers=h["tecnico"]),
    ):
        assert "REGISTRAR_PENDIENTE" in error(r, 403)["message"]
    # VER_TODOS reads, but does not manage.
    assert (await http.get(url, headers=h["asesor"])).status_code == 200
    error(await http.post("/api/repetitivos", json=_cuerpo(cliente), headers=h["asesor"]), 403)
    error(await http.patch(url, json={"nombre": "x"}, headers=h["asesor"]), 403)
    # REGISTRAR_PENDIENTE without ASIGNAR_TECNICO: templates without a technician only.
    atencion = h["atencion-cliente"]
    r = await http.post("/api/repetitivos", json=_cuerpo(cliente), headers=atencion)
    assert r.status_code == 201, r.text
    r = await http.post("/api/repetitivos", json=_cuerpo(cliente, tecnicoId=tecnico), headers=atencion)
    assert "ASIGNAR_TECNICO" in error(r, 403)["message"]
    error(await http.patch(url, json={"nombre": "otro"}, headers=atencion), 403)
    # ...may pause one that names a technician, but not resume it.
    assert (await http.post(f"{url}/pausar", headers=atencion)).status_code == 200
    error(await http.post(f"{url}/reanudar", headers=atencion), 403)
    assert (await http.post(f"{url}/reanudar", headers=h["coordinadora"])).status_code == 200
    # Without a token: 401.
    assert (await http.get("/api/repetitivos")).status_code == 401


@pytest.mark.parametrize(
    ("metodo", "ruta"),
    [("GET", ""), ("PATCH", ""), ("POST", "/pausar"), ("POST", "/reanudar"), ("DELETE", "")],
)
async def test_id_desconocido_es_404(http, h, metodo, ruta):
    cuerpo = {"nombre": "x"} if metodo == "PATCH" else None
    r = await http.request(
        metodo, f"/api/repetitivos/987654321{ruta}", json=cuerpo, headers=h["coordinadora"]
    )
    error(r, 404)


async def test_eliminado_es_404_y_sale_de_la_lista(http, h, cliente_propio, plantilla):
    cliente = await cliente_propio()
    rep = await plantilla(cliente)
    url = f"/api/repetitivos/{rep['id']}"
    assert (await http.delete(url, headers=h["coordinadora"])).status_code == 200
    for r in (
        await http.get(url, headers=h["coordinadora"]),
        await http.delete(url, headers=h["coordinadora"]),
        await http.post(f"{url}/reanudar", headers=h["coordinadora"]),
    ):
        error(r, 404)
    r = await http.get(f"/api/repetitivos?clienteId={cliente}", headers=h["coordinadora"])
    assert r.json()["data"]["totalElements"] == 0


# -- The next occurrences, computed here from the rule ------------------------------------------------


def _instantes(dias, hora: time, desde: datetime, cuantos: int = 5) -> list[datetime]:
    siguientes = (datetime.combine(d, hora, LIMA) for d in dias)
    return [t for t in siguientes if t > desde][:cuantos]


def _dias(desde: date, cuantos: int = 800):
    return (desde + timedelta(days=n) for n in range(cuantos))


async def _proximas(http, h, rep_id: int) -> tuple[datetime, list[datetime]]:
    antes = ahora()
    r = await http.get(f"/api/repetitivos/{rep_id}", headers=h["coordinadora"])
    assert r.status_code == 200, r.text
    return antes, [datetime.fromisoformat(t) for t in r.json()["data"]["proximas"]]


async def test_proximas_ocurrencias_semanales(http, h, cliente_propio, plantilla):
    inicio = HOY() - timedelta(days=3)
    regla = {
        "frecuencia": "SEMANAL",
        "cada": 2,
        "diasSemana": ["JUEVES", "LUNES"],
        "hora": "07:15",
        "fechaInicio": inicio.isoformat(),
    }
    rep = await plantilla(await cliente_propio(), regla=regla)
    antes, proximas = await _proximas(http, h, rep["id"])
    lunes_inicial = inicio - timedelta(days=inicio.weekday())
    # Mondays and Thursdays of every other week, counting from the week of the start date.
    dias = (
        d
        for d in _dias(inicio)
        if d.weekday() in (0, 3) and ((d - timedelta(days=d.weekday())) - lunes_inicial).days % 14 == 0
    )
    assert proximas == _instantes(dias, time(7, 15), antes)
    assert all(t.utcoffset() == timedelta(hours=-5) for t in proximas)


async def test_proximas_ocurrencias_cada_tres_dias(http, h, cliente_propio, plantilla):
    inicio = HOY() - timedelta(days=2)
    rep = await plantilla(
        await cliente_propio(), regla=regla_diaria(cada=3, hora="23:30", fechaInicio=inicio.isoformat())
    )
    antes, proximas = await _proximas(http, h, rep["id"])
    dias = (d for d in _dias(inicio) if (d - inicio).days % 3 == 0)
    assert proximas == _instantes(dias, time(23, 30), antes)


async def test_proximas_ocurrencias_mensuales_y_fecha_de_fin(http, h, cliente_propio, plantilla):
    inicio = HOY()
    regla = {
        "frecuencia": "MENSUAL",
        "diasMes": [31, 1, 15],
        "hora": "00:00",
        "fechaInicio": inicio.isoformat(),
    }
    rep = await plantilla(await cliente_propio(), regla=regla)
    antes, proximas = await _proximas(http, h, rep["id"])
    # Day 31 only in the months that have one.
    dias = (d for d in _dias(inicio) if d.day in (1, 15, 31))
    assert proximas == _instantes(dias, time(0, 0), antes)

    # With an end two days from now, at most the three days from today to then.
    fin = HOY() + timedelta(days=2)
    rep = await plantilla(await cliente_propio(), regla=regla_diaria(hora="12:00", fechaFin=fin.isoformat()))
    antes, proximas = await _proximas(http, h, rep["id"])
    dias = (d for d in _dias(HOY(), 3))
    assert proximas == _instantes(dias, time(12, 0), antes)
