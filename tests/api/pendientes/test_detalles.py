"""Type details of the five types over HTTP (reference §5.6): both path forms, create once, partial
edit, the type check and the network values in every response (§9 defects 9, 14, 30 and 31)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db import models as m
from tests.api.pendientes.conftest import error

# (path segment, tipo, create body, partial edit, the detail after both)
TIPOS = [
    (
        "traslado",
        "TRASLADO",
        {
            "lugarDestino": "JULIACA",
            "direccionDestino": "Av. Manco Cápac 120",
            "tipoServicio": "INTERNET_FIBRA",
        },
        {"lugarDestino": "PUNO", "tipoServicio": None},
        {"lugarDestino": "PUNO", "direccionDestino": "Av. Manco Cápac 120", "tipoServicio": None},
    ),
    (
        "averia",
        "AVERIA",
        {"descripcionFalla": "Sin servicio desde las 08:00"},
        {"descripcionFalla": "Corte en splitter externo"},
        {"descripcionFalla": "Corte en splitter externo"},
    ),
    (
        "instalacion-internet",
        "INSTALACION_INTERNET",
        {"velocidadSolicitada": "100 Mbps", "costoFijo": 50.00, "tipoInstalacion": "FIBRA"},
        {"costoFijo": "75.5"},
        {"velocidadSolicitada": "100 Mbps", "costoFijo": 75.5, "tipoInstalacion": "FIBRA"},
    ),
    ("instalacion-camaras", "INSTALACION_CAMARAS", {}, {}, {}),
    (
        "recojo-dispositivo",
        "RECOJO_DISPOSITIVOS",
        {"dispositivo": "ROUTER", "motivo": "Contrato cancelado"},
        {"dispositivo": "ANTENA"},
        {"dispositivo": "ANTENA", "motivo": "Contrato cancelado"},
    ),
]
CAMPOS_RESPUESTA = {
    "id",
    "pendienteId",
    "tipo",
    "descripcionFalla",
    "velocidadSolicitada",
    "costoFijo",
    "tipoInstalacion",
    "dispositivo",
    "motivo",
    "lugarDestino",
    "direccionDestino",
    "tipoServicio",
    "vlan",
    "ppoe",
    "ppoePassword",
}


@pytest.fixture
def sin_detalle(nuevo_cliente, alta):
    """Factory: a REGISTRADO pendiente of `tipo` created without its detail (cameras get the marker)."""

    async def _sin_detalle(tipo: str) -> int:
        return (await alta(await nuevo_cliente(), tipo=tipo))["id"]

    return _sin_detalle


async def _detalles_en_historial(sessions, pendiente_id: int) -> list[str]:
    async with sessions() as s:
        filas = await s.scalars(
            select(m.Historial.detalles)
            .where(m.Historial.pendiente_id == pendiente_id, m.Historial.accion == "detalle")
            .order_by(m.Historial.id)
        )
        return list(filas)


@pytest.mark.parametrize(
    ("segmento", "tipo", "creacion", "cambio", "final"), TIPOS, ids=[t[0] for t in TIPOS]
)
async def test_crear_leer_y_editar_con_pendiente_en_el_cuerpo(
    http, h, sin_detalle, sessions, segmento, tipo, creacion, cambio, final
):
    pendiente_id = await sin_detalle(tipo)
    coord = h["coordinadora"]

    r = await http.post(
        f"/api/pendientes/{segmento}", json={"pendienteId": pendiente_id} | creacion, headers=coord
    )
    if tipo == "INSTALACION_CAMARAS":
        # Its marker row is made with the pendiente: the POST acknowledges it.
        assert r.status_code == 200, r.text
    else:
        assert r.status_code == 201, r.text
        assert r.json()["code"] == 201
    creado = r.json()["data"]
    assert set(creado) == CAMPOS_RESPUESTA
    assert (creado["id"], creado["pendienteId"], creado["tipo"]) == (pendiente_id, pendiente_id, tipo)

    r = await http.put(
        f"/api/pendientes/{segmento}", json={"pendienteId": pendiente_id} | cambio, headers=coord
    )
    assert r.status_code == 200, r.text
    leido = await http.get(f"/api/pendientes/{pendiente_id}/{segmento}", headers=coord)
    assert leido.status_code == 200 and leido.json()["data"] == r.json()["data"]
    assert {k: leido.json()["data"][k] for k in final} == final
    if tipo != "INSTALACION_CAMARAS":
        assert len(await _detalles_en_historial(sessions, pendiente_id)) == 2


@pytest.mark.parametrize(
    ("segmento", "tipo", "creacion", "cambio", "final"), TIPOS, ids=[t[0] for t in TIPOS]
)
async def test_crear_y_editar_con_el_id_en_la_ruta(
    http, h, sin_detalle, segmento, tipo, creacion, cambio, final
):
    pendiente_id = await sin_detalle(tipo)
    url = f"/api/pendientes/{pendiente_id}/{segmento}"
    r = await http.post(url, json=creacion, headers=h["atencion-cliente"])
    assert r.status_code in (200, 201), r.text
    r = await http.put(url, json=cambio | {"pendienteId": pendiente_id}, headers=h["coordinadora"])
    assert r.status_code == 200, r.text
    assert {k: r.json()["data"][k] for k in final} == final


@pytest.mark.parametrize("segmento", ["traslado", "averia", "instalacion-internet", "recojo-dispositivo"])
async def test_un_segundo_post_es_409(http, h, sin_detalle, segmento):
    """§9 (§5.6): a second POST was not guarded; now the detail is created once."""
    tipo, creacion = next((t[1], t[2]) for t in TIPOS if t[0] == segmento)
    pendiente_id = await sin_detalle(tipo)
    url = f"/api/pendientes/{pendiente_id}/{segmento}"
    assert (await http.post(url, json=creacion, headers=h["coordinadora"])).status_code == 201
    error(await http.post(url, json=creacion, headers=h["coordinadora"]), 409)
    cuerpo = {"pendienteId": pendiente_id} | creacion
    error(await http.post(f"/api/pendientes/{segmento}", json=cuerpo, headers=h["coordinadora"]), 409)


async def test_el_mismo_post_reintentado_con_su_clave_no_es_409(http, h, sin_detalle):
    pendiente_id = await sin_detalle("AVERIA")
    cabeceras = h["coordinadora"] | {"Idempotency-Key": f"detalle-{pendiente_id}"}
    cuerpo = {"pendienteId": pendiente_id, "descripcionFalla": "no enciende"}
    codigos = [
        (await http.post("/api/pendientes/averia", json=cuerpo, headers=cabeceras)).status_code for _ in "ab"
    ]
    assert codigos == [201, 201]


@pytest.mark.parametrize("segmento", ["traslado", "averia", "instalacion-internet", "recojo-dispositivo"])
async def test_sin_detalle_get_y_put_son_404(http, h, sin_detalle, segmento):
    tipo = next(t[1] for t in TIPOS if t[0] == segmento)
    pendiente_id = await sin_detalle(tipo)
    url = f"/api/pendientes/{pendiente_id}/{segmento}"
    error(await http.get(url, headers=h["coordinadora"]), 404)
    error(await http.put(url, json={}, headers=h["coordinadora"]), 404)
    cuerpo = {"pendienteId": pendiente_id}
    error(await http.put(f"/api/pendientes/{segmento}", json=cuerpo, headers=h["coordinadora"]), 404)


async def test_camaras_sin_marca_se_crea_con_post(http, h, app, personas, sessions):
    from contrato.mensajes import DatosPendiente

    coordinadora = personas.actores["coordinadora"]
    async with sessions() as s:
        cliente = await s.scalar(select(m.Cliente.id).where(m.Cliente.codigo_cliente == "CLI000003"))
    datos = DatosPendiente(
        cliente_id=cliente,
        registrado_por=coordinadora.empleado_id,
        tipo="INSTALACION_CAMARAS",
        lugar="JULI",
        prioridad="BAJA",
    )
    pendiente_id = await app.state.comandos.crear_pendiente(datos, coordinadora)
    url = f"/api/pendientes/{pendiente_id}/instalacion-camaras"
    error(await http.get(url, headers=h["coordinadora"]), 404)
    assert (await http.post(url, json={}, headers=h["coordinadora"])).status_code == 201
    assert (await http.post(url, json={}, headers=h["coordinadora"])).status_code == 200


@pytest.mark.parametrize(
    "segmento", ["traslado", "averia", "instalacion-internet", "instalacion-camaras", "recojo-dispositivo"]
)
async def test_tipo_de_la_ruta_distinto_del_pendiente_es_409(http, h, crear, segmento):
    """§9 defect 14: the detail type was never checked against the pendiente's."""
    tipo = next(t[1] for t in TIPOS if t[0] == segmento)
    otro = "AVERIA" if tipo != "AVERIA" else "TRASLADO"
    pendiente_id = await crear("REGISTRADO", otro)
    url = f"/api/pendientes/{pendiente_id}/{segmento}"
    for r in (
        await http.get(url, headers=h["coordinadora"]),
        await http.post(url, json={}, headers=h["coordinadora"]),
        await http.put(url, json={}, headers=h["coordinadora"]),
        await http.post(
            f"/api/pendientes/{segmento}", json={"pendienteId": pendiente_id}, headers=h["coordinadora"]
        ),
        await http.put(
            f"/api/pendientes/{segmento}", json={"pendienteId": pendiente_id}, headers=h["coordinadora"]
        ),
    ):
        assert error(r, 409)["data"]["tipo"] == otro


@pytest.mark.parametrize(
    ("segmento", "tipo", "cuerpo", "campo"),
    [
        ("traslado", "TRASLADO", {"direccionDestino": "Jr. Lima 55"}, "lugarDestino"),
        ("traslado", "TRASLADO", {"lugarDestino": "LIMA"}, "lugarDestino"),
        (
            "traslado",
            "TRASLADO",
            {"lugarDestino": "PUNO", "descripcionFalla": "no es traslado"},
            "descripcionFalla",
        ),
        ("averia", "AVERIA", {"velocidadSolicitada": "20 Mbps"}, "velocidadSolicitada"),
        ("averia", "AVERIA", {"descripcionFalla": "x", "nota": "desconocido"}, "nota"),
        ("averia", "AVERIA", {"descripcionFalla": "x" * 5001}, "descripcionFalla"),
        ("averia", "AVERIA", {"descripcionFalla": "nulo \x00"}, "descripcionFalla"),
        ("instalacion-internet", "INSTALACION_INTERNET", {"costoFijo": "S/ 50"}, "costoFijo"),
        ("instalacion-internet", "INSTALACION_INTERNET", {"costoFijo": 12.345}, "costoFijo"),
        ("instalacion-internet", "INSTALACION_INTERNET", {"costoFijo": -1}, "costoFijo"),
        ("instalacion-internet", "INSTALACION_INTERNET", {"tipoInstalacion": "SATELITAL"}, "tipoInstalacion"),
        ("recojo-dispositivo", "RECOJO_DISPOSITIVOS", {"dispositivo": "TELEVISOR"}, "dispositivo"),
        ("recojo-dispositivo", "RECOJO_DISPOSITIVOS", {"motivo": "m" * 201}, "motivo"),
        ("instalacion-camaras", "INSTALACION_CAMARAS", {"motivo": "no tiene campos"}, "motivo"),
    ],
)
async def test_422_nombra_el_campo(http, h, sin_detalle, segmento, tipo, cuerpo, campo):
    pendiente_id = await sin_detalle(tipo)
    error(
        await http.post(f"/api/pendientes/{pendiente_id}/{segmento}", json=cuerpo, headers=h["coordinadora"]),
        422,
        campo,
    )


async def test_422_de_las_formas_y_de_los_obligatorios(http, h, crear):
    pendiente_id = await crear("REGISTRADO", "TRASLADO")
    coord = h["coordinadora"]
    error(
        await http.post("/api/pendientes/traslado", json={"lugarDestino": "PUNO"}, headers=coord),
        422,
        "pendienteId",
    )
    error(await http.put("/api/pendientes/traslado", json={}, headers=coord), 422, "pendienteId")
    url = f"/api/pendientes/{pendiente_id}/traslado"
    error(await http.put(url, json={"pendienteId": pendiente_id + 1}, headers=coord), 422, "pendienteId")
    error(await http.put(url, json={"lugarDestino": None}, headers=coord), 422, "lugarDestino")
    error(await http.put(url, json=[1, 2], headers=coord), 422)
    # Another type's fields, sent empty (as a read DetalleResponse has them), are tolerated.
    r = await http.put(
        url, json={"descripcionFalla": None, "costoFijo": None, "direccionDestino": "Jr. 1"}, headers=coord
    )
    assert r.status_code == 200, r.text


async def test_costo_fijo_es_decimal_como_numero_o_texto(http, h, sin_detalle, sessions):
    """§9 defect 31: money was text; the seed sends a JSON number. Money leaves as a JSON number
    everywhere (as a payment's monto or an item's cost), exact to the cent."""
    pendiente_id = await sin_detalle("INSTALACION_INTERNET")
    url = f"/api/pendientes/{pendiente_id}/instalacion-internet"
    r = await http.post(url, json={"costoFijo": 49.9}, headers=h["coordinadora"])
    assert r.json()["data"]["costoFijo"] == 49.9
    r = await http.put(url, json={"costoFijo": "120"}, headers=h["coordinadora"])
    assert r.json()["data"]["costoFijo"] == 120
    async with sessions() as s:
        fila = await s.get(m.PendienteInstalacionInternet, pendiente_id)
    assert str(fila.costo_fijo) == "120.00"


@pytest.mark.parametrize(
    ("segmento", "tipo"),
    [("averia", "AVERIA"), ("traslado", "TRASLADO"), ("instalacion-internet", "INSTALACION_INTERNET")],
)
async def test_las_respuestas_incluyen_vlan_y_pppoe(http, h, crear, segmento, tipo):
    """§9 defect 9: averia and traslado responses never carried vlan/ppoe; now every type's does, the
    password shown only to CONFIGURAR_PPPOE holders and the assigned technician."""
    pendiente_id = await crear("ASIGNADO", tipo)
    base = f"/api/pendientes/{pendiente_id}/{segmento}"
    # `crear` configured nothing yet: record both through their own paths.
    r = await http.put(f"{base}/vlan", json={"vlan": 321}, headers=h["red"])
    assert r.status_code == 200, r.text
    secreto = {"pppoeUser": f"cli_{pendiente_id}", "pppoePassword": "clave-secreta-1"}
    assert (await http.put(f"{base}/pppoe", json=secreto, headers=h["red"])).status_code == 200

    vistos = {
        rol: (await http.get(base, headers=h[rol])).json()["data"]
        for rol in ("coordinadora", "red", "tecnico")
    }

    for rol, data in vistos.items():
        assert (data["vlan"], data["ppoe"]) == (321, f"cli_{pendiente_id}"), rol
    assert vistos["coordinadora"]["ppoePassword"] == "********"
    assert vistos["red"]["ppoePassword"] == vistos["tecnico"]["ppoePassword"] == "clave-secreta-1"
    error(await http.get(base, headers=h["tecnico2"]), 403)


async def test_los_valores_de_red_no_se_escriben_aqui(http, h, crear):
    pendiente_id = await crear("ASIGNADO", "AVERIA")
    base = f"/api/pendientes/{pendiente_id}/averia"
    assert (await http.put(f"{base}/vlan?vlan=120", headers=h["red"])).status_code == 200
    coord = h["coordinadora"]
    leido = (await http.get(base, headers=coord)).json()["data"]

    # What was read goes back as is (password masked): accepted, the network values unchanged.
    r = await http.put(base, json=leido | {"descripcionFalla": "cambiada"}, headers=coord)
    assert r.status_code == 200, r.text
    assert (r.json()["data"]["descripcionFalla"], r.json()["data"]["vlan"]) == ("cambiada", 120)
    cuerpo = error(await http.put(base, json={"vlan": 130}, headers=coord), 422, "vlan")
    assert f"/api/pendientes/{pendiente_id}/averia/vlan" in cuerpo["message"]
    error(await http.put(base, json={"pppoeUser": "otro"}, headers=coord), 422, "pppoeUser")
    error(await http.put(base, json={"ppoePassword": "nueva"}, headers=coord), 422, "ppoePassword")
    assert (await http.get(base, headers=h["red"])).json()["data"]["vlan"] == 120
    camaras = await crear("REGISTRADO", "INSTALACION_CAMARAS")
    error(
        await http.put(f"/api/pendientes/{camaras}/instalacion-camaras", json={"vlan": 5}, headers=coord),
        422,
        "vlan",
    )


@pytest.mark.parametrize("rol", ["asesor", "contabilidad", "tecnico", "red"])
async def test_escribir_sin_registrar_ni_editar_es_403(http, h, crear, rol):
    pendiente_id = await crear("ASIGNADO", "AVERIA")
    url = f"/api/pendientes/{pendiente_id}/averia"
    for r in (
        await http.post(url, json={}, headers=h[rol]),
        await http.put(url, json={"descripcionFalla": "x"}, headers=h[rol]),
        await http.post("/api/pendientes/averia", json={"pendienteId": pendiente_id}, headers=h[rol]),
        await http.put("/api/pendientes/averia", json={"pendienteId": pendiente_id}, headers=h[rol]),
    ):
        assert "REGISTRAR_PENDIENTE" in error(r, 403)["message"]


async def test_leer_necesita_ver_el_pendiente(http, h, crear, cuenta):
    pendiente_id = await crear("ASIGNADO", "RECOJO_DISPOSITIVOS")
    url = f"/api/pendientes/{pendiente_id}/recojo-dispositivo"
    assert (await http.get(url, headers=h["tecnico"])).status_code == 200  # assigned to them
    error(await http.get(url, headers=h["tecnico2"]), 403)
    error(await http.get(url, headers=await cuenta("REGISTRAR_PAGO")), 403)
    # Writing also needs to see it.
    escritor = await cuenta("REGISTRAR_PENDIENTE", "VER_DETALLE")
    error(await http.put(url, json={"motivo": "x"}, headers=escritor), 403)


async def test_pendiente_desconocido_o_eliminado_es_404(http, h, crear):
    eliminado = await crear("REGISTRADO", "AVERIA")
    assert (await http.delete(f"/api/pendientes/{eliminado}", headers=h["coordinadora"])).status_code == 200
    for pendiente_id in (987654321, eliminado):
        url = f"/api/pendientes/{pendiente_id}/averia"
        error(await http.get(url, headers=h["coordinadora"]), 404)
        error(await http.post(url, json={}, headers=h["coordinadora"]), 404)
        error(await http.put(url, json={}, headers=h["coordinadora"]), 404)
        cuerpo = {"pendienteId": pendiente_id}
        error(await http.post("/api/pendientes/averia", json=cuerpo, headers=h["coordinadora"]), 404)


async def test_cerrado_no_se_edita(http, h, crear):
    pendiente_id = await crear("FINALIZADO", "RECOJO_DISPOSITIVOS")
    url = f"/api/pendientes/{pendiente_id}/recojo-dispositivo"
    error(await http.put(url, json={"motivo": "tarde"}, headers=h["coordinadora"]), 409)
    assert (await http.get(url, headers=h["coordinadora"])).json()["data"]["motivo"] is None


async def test_el_detalle_habilita_la_asignacion(http, h, sin_detalle, personas):
    pendiente_id = await sin_detalle("TRASLADO")
    asignar = f"/api/pendientes/{pendiente_id}/acciones/asignar"
    tecnico = {"tecnicoId": personas.tecnicos[0].empleado_id}
    error(await http.post(asignar, json=tecnico, headers=h["coordinadora"]), 409)
    cuerpo = {"pendienteId": pendiente_id, "lugarDestino": "JULI"}
    assert (
        await http.post("/api/pendientes/traslado", json=cuerpo, headers=h["coordinadora"])
    ).status_code == 201
    r = await http.post(asignar, json=tecnico, headers=h["coordinadora"])
    assert r.status_code == 200 and r.json()["data"]["estado"] == "ASIGNADO"


async def test_if_match_en_el_detalle(http, h, sin_detalle):
    pendiente_id = await sin_detalle("AVERIA")
    version = (await http.get(f"/api/pendientes/{pendiente_id}", headers=h["coordinadora"])).json()["data"][
        "version"
    ]
    url = f"/api/pendientes/{pendiente_id}/averia"
    vieja = h["coordinadora"] | {"If-Match": f'"{version}"'}
    assert (await http.post(url, json={"descripcionFalla": "a"}, headers=vieja)).status_code == 201
    error(await http.put(url, json={"descripcionFalla": "b"}, headers=vieja), 409)
