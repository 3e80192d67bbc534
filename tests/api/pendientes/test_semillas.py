"""Every request example of the seed documents works as written, ids aside.

000 (the pendiente concept) has no request example; its field table is checked on a created pendiente.
001 (type details) shows, per type, the curl calls below: copied verbatim, with `{id}` where the
document has 42, 55, 67, 80 or 91. The calls run in a workable order (create before read)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.api.pendientes.conftest import error

# A plain date three months ahead in Lima: the pendiente is not overdue at whatever date the suite runs.
DIA = datetime.now(ZoneInfo("America/Lima")).date() + timedelta(days=90)

SEMILLA_001 = {
    "TRASLADO": [
        (
            "POST",
            "/api/pendientes/traslado",
            {
                "pendienteId": "{id}",
                "lugarDestino": "JULIACA",
                "direccionDestino": "Av. Manco Cápac 120, Juliaca",
                "tipoServicio": "INTERNET_FIBRA",
            },
        ),
        ("GET", "/api/pendientes/{id}/traslado", None),
        (
            "PUT",
            "/api/pendientes/{id}/traslado",
            {
                "lugarDestino": "PUNO",
                "direccionDestino": "Jr. Lima 55, Puno",
                "tipoServicio": "INTERNET_FIBRA",
            },
        ),
        ("PUT", "/api/pendientes/{id}/traslado/ppoe?ppoeUser=cli_12345678&ppoePassword=p%40ssword99", None),
        ("PUT", "/api/pendientes/{id}/traslado/vlan?vlan=1042", None),
    ],
    "INSTALACION_INTERNET": [
        (
            "POST",
            "/api/pendientes/instalacion-internet",
            {
                "pendienteId": "{id}",
                "velocidadSolicitada": "100 Mbps",
                "costoFijo": 50.00,
                "tipoInstalacion": "FIBRA",
            },
        ),
        ("GET", "/api/pendientes/{id}/instalacion-internet", None),
        (
            "PUT",
            "/api/pendientes/{id}/instalacion-internet",
            {"velocidadSolicitada": "200 Mbps", "costoFijo": 75.00, "tipoInstalacion": "FIBRA"},
        ),
        (
            "PUT",
            "/api/pendientes/{id}/instalacion-internet/ppoe?ppoeUser=cli_55_fiber&ppoePassword=securePass%21",
            None,
        ),
        ("PUT", "/api/pendientes/{id}/instalacion-internet/vlan?vlan=2055", None),
    ],
    "AVERIA": [
        (
            "POST",
            "/api/pendientes/averia",
            {
                "pendienteId": "{id}",
                "descripcionFalla": "Cliente sin servicio de internet desde las 08:00. "
                "Posible corte en la NAP.",
            },
        ),
        ("GET", "/api/pendientes/{id}/averia", None),
        (
            "PUT",
            "/api/pendientes/{id}/averia",
            {"descripcionFalla": "Corte confirmado en splitter externo. Requiere reemplazo."},
        ),
        ("PUT", "/api/pendientes/{id}/averia/ppoe?ppoeUser=cli_67&ppoePassword=newpass123", None),
        ("PUT", "/api/pendientes/{id}/averia/vlan?vlan=1067", None),
    ],
    "INSTALACION_CAMARAS": [
        ("POST", "/api/pendientes/instalacion-camaras", {"pendienteId": "{id}"}),
        ("GET", "/api/pendientes/{id}/instalacion-camaras", None),
        ("PUT", "/api/pendientes/{id}/instalacion-camaras", {"pendienteId": "{id}"}),
    ],
    "RECOJO_DISPOSITIVOS": [
        (
            "POST",
            "/api/pendientes/recojo-dispositivo",
            {
                "pendienteId": "{id}",
                "dispositivo": "ROUTER",
                "motivo": "Contrato cancelado por el cliente. Recuperar equipo Huawei HG8145V5.",
            },
        ),
        ("GET", "/api/pendientes/{id}/recojo-dispositivo", None),
        (
            "PUT",
            "/api/pendientes/{id}/recojo-dispositivo",
            {"dispositivo": "ANTENA", "motivo": "También recuperar antena del techo."},
        ),
    ],
}

# What the detail holds after each type's calls.
FINAL = {
    "TRASLADO": {
        "lugarDestino": "PUNO",
        "direccionDestino": "Jr. Lima 55, Puno",
        "vlan": 1042,
        "ppoe": "cli_12345678",
    },
    "INSTALACION_INTERNET": {
        "velocidadSolicitada": "200 Mbps",
        "costoFijo": 75.0,
        "vlan": 2055,
        "ppoe": "cli_55_fiber",
        "ppoePassword": "securePass!",
    },
    "AVERIA": {"descripcionFalla": "Corte confirmado en splitter externo. Requiere reemplazo.", "vlan": 1067},
    "INSTALACION_CAMARAS": {"tipo": "INSTALACION_CAMARAS"},
    "RECOJO_DISPOSITIVOS": {"dispositivo": "ANTENA", "motivo": "También recuperar antena del techo."},
}


def _con_id(valor, pendiente_id: int):
    if isinstance(valor, dict):
        return {k: _con_id(v, pendiente_id) for k, v in valor.items()}
    if valor == "{id}":
        return pendiente_id
    return valor.replace("{id}", str(pendiente_id)) if isinstance(valor, str) else valor


@pytest.mark.parametrize("tipo", list(SEMILLA_001))
async def test_semilla_001_detalles_de_tipo(http, h, nuevo_cliente, tipo):
    # "After creating a pendiente with POST /api/pendientes/, you must create the corresponding type
    # details record": created without its detail, with the document's trailing slash.
    alta = {"clienteId": await nuevo_cliente(), "tipo": tipo, "lugar": "JULIACA", "prioridad": "MEDIA"}
    r = await http.post("/api/pendientes/", json=alta, headers=h["administrador"])
    assert r.status_code == 201, r.text
    pendiente_id = r.json()["data"]["id"]

    for metodo, ruta, cuerpo in SEMILLA_001[tipo]:
        r = await http.request(
            metodo,
            _con_id(ruta, pendiente_id),
            json=_con_id(cuerpo, pendiente_id),
            headers=h["administrador"],
        )
        assert r.status_code in (200, 201), f"{metodo} {ruta}: {r.text}"
        assert r.json()["success"] is True

    ultimo = (
        await http.get(
            f"/api/pendientes/{pendiente_id}/{SEMILLA_001[tipo][1][1].rsplit('/', 1)[-1]}",
            headers=h["administrador"],
        )
    ).json()["data"]
    assert {k: ultimo[k] for k in FINAL[tipo]} == FINAL[tipo]


async def test_semilla_000_campos_del_pendiente(http, h, nuevo_cliente):
    """The concept page's core fields are all in a pendiente; `fechaPendiente` may be a plain date."""
    alta = {
        "clienteId": await nuevo_cliente(),
        "tipo": "AVERIA",
        "lugar": "YONGUYO",
        "prioridad": "MUY_URGENTE",
        "empresa": "WINEX",
        "direccion": "Jr. Bolognesi 14",
        "fechaPendiente": DIA.isoformat(),
    }
    r = await http.post("/api/pendientes", json=alta, headers=h["coordinadora"])
    assert r.status_code == 201, r.text
    data = r.json()["data"]
    campos = {"id", "fechaCreacion", "fechaPendiente", "registradoPor", "asignadoA", "cliente", "estado"}
    campos |= {"estadoTecnico", "tipo", "prioridad", "lugar", "empresa", "direccion"}
    assert campos <= data.keys()
    assert data["fechaPendiente"] == f"{DIA}T00:00:00-05:00"
    # "No network configuration tasks are associated with device pickups."
    recojo = await http.post(
        "/api/pendientes", json=alta | {"tipo": "RECOJO_DISPOSITIVOS"}, headers=h["coordinadora"]
    )
    recojo_id = recojo.json()["data"]["id"]
    r = await http.put(
        f"/api/pendientes/{recojo_id}/estado-tecnico?nuevoEstado=PENDIENTE_VLAN", headers=h["red"]
    )
    error(r, 409)
