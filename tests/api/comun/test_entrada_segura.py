"""Issue 9 §5–§6: input that used to cause a 5xx or leak internals. Every text reaching Postgres or a
workflow refuses NUL and lone surrogates with a 422 naming the field; a database error inside an
activity never carries SQL or its parameters into an answer or the workflow history; If-Match,
Idempotency-Key and work dates are bounded."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from contrato.mensajes import OrdenAccion
from domain.acciones import Accion
from domain.errores import ErrorPendientes
from infra.temporal import workflow_id

LIMA = ZoneInfo("America/Lima")
NUL, SUSTITUTO = "\x00", "\ud800"
# What a leaked database error looks like (SQLAlchemy's message quotes the statement and parameters).
INTERNOS = ("[SQL", "INSERT INTO", "UPDATE pendientes", "parameters", "psycopg", "historiales", "::VARCHAR")


def crudo(cuerpo: dict) -> bytes:
    """JSON as a client may send it: ensure_ascii writes NUL as \\u0000 and a lone surrogate as \\ud800
    (httpx's json= cannot encode a surrogate at all)."""
    return json.dumps(cuerpo).encode()


def enviar_json(http, metodo: str, url: str, cuerpo: dict, headers: dict):
    return http.request(
        metodo, url, content=crudo(cuerpo), headers=headers | {"content-type": "application/json"}
    )


def sin_internos(r) -> None:
    for marca in INTERNOS:
        assert marca not in r.text, r.text


def manana() -> str:
    return (datetime.now(LIMA) + timedelta(days=1)).replace(microsecond=0).isoformat()


@pytest.fixture(scope="module")
async def cliente_id(sessions, demo) -> int:
    from sqlalchemy import select

    from db import models as m

    async with sessions() as s:
        return await s.scalar(select(m.Cliente.id).where(m.Cliente.codigo_cliente == "CLI000001"))


def alta(cliente_id: int, **extra) -> dict:
    return {
        "clienteId": cliente_id,
        "tipo": "AVERIA",
        "lugar": "PUNO",
        "prioridad": "URGENTE",
        "direccion": "Jr. Lima 245",
        "fechaPendiente": manana(),
        "detalle": {"descripcionFalla": "sin señal"},
    } | extra


async def version_de(http, h, pendiente_id: int) -> int:
    r = await http.get(f"/api/pendientes/{pendiente_id}", headers=h["administrador"])
    return r.json()["data"]["version"]


# -- NUL and lone surrogates: a 422 naming the field, nothing written --------------------------------


@pytest.mark.parametrize("malo", [NUL, SUSTITUTO], ids=["NUL", "sustituto"])
@pytest.mark.parametrize(
    ("estado", "rol", "metodo", "ruta", "cuerpo", "campo"),
    [
        ("EN_PROGRESO", "tecnico", "POST", "acciones/pausar", {"motivo": "x{}"}, "motivo"),
        ("REGISTRADO", "coordinadora", "PUT", "cancelar", {"cause": "x{}"}, "cause"),
        (
            "EN_PROGRESO",
            "red",
            "PUT",
            "averia/pppoe",
            {"pppoeUser": "u{}", "pppoePassword": "p"},
            "pppoeUser",
        ),
        (
            "EN_PROGRESO",
            "red",
            "PUT",
            "averia/pppoe",
            {"pppoeUser": "u", "pppoePassword": "p{}"},
            "pppoePassword",
        ),
        (
            "EN_PROGRESO",
            "red",
            "PUT",
            "averia/ppoe",
            {"ppoeUser": "u", "ppoePassword": "p{}"},
            "ppoePassword",
        ),
        ("REGISTRADO", "coordinadora", "PUT", "", {"direccion": "Jr. {}"}, "direccion"),
        ("REGISTRADO", "coordinadora", "PUT", "averia", {"descripcionFalla": "falla {}"}, "descripcionFalla"),
    ],
)
async def test_texto_no_guardable_en_una_accion_es_422(
    http, h, crear, estado, rol, metodo, ruta, cuerpo, campo, malo
):
    pendiente = await crear(estado)
    antes = await version_de(http, h, pendiente)
    datos = {k: v.replace("{}", malo) for k, v in cuerpo.items()}
    url = f"/api/pendientes/{pendiente}/{ruta}".rstrip("/")
    r = await enviar_json(http, metodo, url, datos, h[rol])
    assert r.status_code == 422, r.text
    assert r.json()["data"]["campo"] == campo
    sin_internos(r)
    assert await version_de(http, h, pendiente) == antes


@pytest.mark.parametrize("malo", [NUL, SUSTITUTO], ids=["NUL", "sustituto"])
@pytest.mark.parametrize(
    ("extra", "campo"),
    [
        ({"direccion": "Jr. {}"}, "direccion"),
        ({"detalle": {"descripcionFalla": "falla {}"}}, "detalle.descripcionFalla"),
    ],
)
async def test_texto_no_guardable_al_crear_es_422(http, h, cliente_id, extra, campo, malo):
    cuerpo = json.loads(json.dumps(alta(cliente_id, **extra)).replace("{}", json.dumps(malo)[1:-1]))
    r = await enviar_json(http, "POST", "/api/pendientes", cuerpo, h["coordinadora"])
    assert r.status_code == 422, r.text
    assert r.json()["data"]["campo"] == campo
    sin_internos(r)


@pytest.mark.parametrize("malo", [NUL, SUSTITUTO], ids=["NUL", "sustituto"])
async def test_texto_no_guardable_en_filtro_login_y_pago(http, h, crear, malo):
    r = await enviar_json(http, "POST", "/api/pendientes/filtrar", {"texto": f"a{malo}"}, h["coordinadora"])
    assert r.status_code == 422 and r.json()["data"]["campo"] == "texto", r.text
    r = await enviar_json(http, "POST", "/auth", {"dni": "10000001", "password": f"x{malo}"}, {})
    assert r.status_code == 422 and r.json()["data"]["campo"] == "password", r.text
    pendiente = await crear("EN_PROGRESO")
    pago = {"pendienteId": pendiente, "monto": "5.00", "metodoPago": "EFECTIVO", "referencia": f"OP{malo}"}
    r = await enviar_json(http, "POST", "/api/pagos", pago, h["tecnico"])
    assert r.status_code == 422 and r.json()["data"]["campo"] == "referencia", r.text


async def test_motivo_por_query_con_nul_es_422(http, h, crear):
    """Query strings carry NUL as %00: the old `motivo` parameters are validated like the body's."""
    registrado, cancelable = await crear("REGISTRADO"), await crear("ASIGNADO")
    r = await http.delete(f"/api/pendientes/{registrado}?motivo=a%00b", headers=h["administrador"])
    assert r.status_code == 422 and r.json()["data"]["campo"] == "motivo", r.text
    url = f"/api/pendientes/{cancelable}/estado?nuevoEstado=CANCELADO&motivo=a%00b"
    r = await http.put(url, headers=h["coordinadora"])
    assert r.status_code == 422 and r.json()["data"]["campo"] == "motivo", r.text
    assert (await http.get(f"/api/pendientes/{registrado}", headers=h["administrador"])).status_code == 200
    assert await version_de(http, h, cancelable) == 1  # only the assignment


# -- Defence in depth: a database error inside an activity ------------------------------------------


def _fallos(nodo, camino: str = "") -> list[tuple[str, dict]]:
    """Every `failure` object of a history (local-activity markers, update outcomes)."""
    hallados = []
    if isinstance(nodo, dict):
        for clave, valor in nodo.items():
            if clave == "failure" and isinstance(valor, dict):
                hallados.append((f"{camino}.{clave}", valor))
            hallados += _fallos(valor, f"{camino}.{clave}")
    elif isinstance(nodo, list):
        for i, valor in enumerate(nodo):
            hallados += _fallos(valor, f"{camino}[{i}]")
    return hallados


async def test_error_de_base_de_datos_en_la_actividad_no_filtra_sql(
    app, crear, personas, temporal_env, http, h
):
    """An order that skipped the API's validation (a NUL in the PPPoE user) reaches the activity, whose
    INSERT fails in Postgres. The caller gets a fixed 422 message; neither it nor any failure stored in
    the workflow history quotes the statement, its parameters, the PPPoE user or the ciphertext."""
    pendiente = await crear("EN_PROGRESO")
    comandos, cifrador = app.state.comandos, app.state.cifrador
    usuario_pppoe = f"usuario-{uuid.uuid4().hex[:8]}\x00fin"
    cifrado = cifrador.cifrar("clave-pppoe-secreta")
    orden = OrdenAccion(
        actor=personas.actores["red"], pppoe_usuario=usuario_pppoe, pppoe_password_cifrado=cifrado
    )
    with pytest.raises(ErrorPendientes) as error:
        await comandos.ejecutar(pendiente, Accion.CONFIGURAR_PPPOE, orden)
    assert error.value.status == 422
    respuesta = f"{error.value.mensaje} {error.value.data}"
    for prohibido in (*INTERNOS, usuario_pppoe.split("\x00")[0], cifrado):
        assert prohibido not in respuesta, respuesta

    historia = await temporal_env.client.get_workflow_handle(workflow_id(pendiente)).fetch_history()
    texto = historia.to_json()
    for marca in INTERNOS:
        assert marca not in texto, marca
    fallos = _fallos(json.loads(texto))
    assert fallos, "the refused change left no failure in the history"
    for camino, fallo in fallos:
        volcado = json.dumps(fallo)
        for prohibido in (usuario_pppoe.split("\x00")[0], cifrado, "NUL"):
            assert prohibido not in volcado, (camino, volcado)

    # Nothing was written, and the workflow goes on working.
    assert await version_de(http, h, pendiente) == 2
    r = await http.post(
        f"/api/pendientes/{pendiente}/acciones/pausar", json={"motivo": "x"}, headers=h["tecnico"]
    )
    assert r.status_code == 200, r.text


# -- If-Match ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("valor", ["9" * 5000, "9" * 11, "2147483648", '"99999999999999999999"', "1e3", "-1"])
async def test_if_match_fuera_de_rango_es_422(http, h, crear, valor):
    pendiente = await crear("ASIGNADO")
    rutas = [
        ("POST", f"/api/pendientes/{pendiente}/acciones/comenzar", "tecnico", None),
        ("PUT", f"/api/pendientes/{pendiente}", "coordinadora", {"prioridad": "BAJA"}),
        ("PUT", f"/api/pendientes/{pendiente}/averia", "coordinadora", {"descripcionFalla": "otra"}),
        ("DELETE", f"/api/pendientes/{pendiente}", "administrador", None),
    ]
    for metodo, url, rol, cuerpo in rutas:
        r = await http.request(metodo, url, json=cuerpo, headers=h[rol] | {"If-Match": valor})
        assert r.status_code == 422, (url, r.text)
        assert r.json()["data"]["campo"] == "If-Match"
    assert await version_de(http, h, pendiente) == 1


async def test_if_match_en_rango_se_compara(http, h, crear):
    pendiente = await crear("ASIGNADO")
    url = f"/api/pendientes/{pendiente}/acciones/comenzar"
    r = await http.post(url, headers=h["tecnico"] | {"If-Match": "2147483647"})
    assert r.status_code == 409 and r.json()["data"]["version"] == 1, r.text
    r = await http.post(url, headers=h["tecnico"] | {"If-Match": 'W/"1"'})
    assert r.status_code == 200, r.text


# -- Idempotency-Key: 200 characters on every write, 201 refused -----------------------------------


def clave(largo: int) -> str:
    return (uuid.uuid4().hex * 7)[:largo]


async def test_idempotency_key_de_200_en_cada_escritura(http, h, cliente_id, personas):
    k = lambda n: {"Idempotency-Key": clave(n)}  # noqa: E731
    r = await http.post("/api/pendientes", json=alta(cliente_id), headers=h["coordinadora"] | k(200))
    assert r.status_code == 201, r.text
    p = r.json()["data"]["id"]
    tecnico_id = personas.tecnicos[0].empleado_id  # the demo technician of h["tecnico"]
    pasos = [
        ("PUT", f"/api/pendientes/{p}", "coordinadora", {"prioridad": "BAJA"}, 199),
        ("PATCH", f"/api/pendientes/{p}", "coordinadora", {"prioridad": "MEDIA"}, 200),
        ("PUT", f"/api/pendientes/{p}/averia", "coordinadora", {"descripcionFalla": "otra"}, 200),
        ("PUT", f"/api/pendientes/{p}/asignar?idAsignado={tecnico_id}", "coordinadora", None, 200),
        ("POST", f"/api/pendientes/{p}/acciones/comenzar", "tecnico", None, 199),
        ("PUT", f"/api/pendientes/{p}/estado?nuevoEstado=PAUSADO", "tecnico", {"motivo": "almuerzo"}, 200),
        ("PUT", f"/api/pendientes/{p}/cancelar", "coordinadora", {"motivo": "cliente ausente"}, 200),
        (
            "PUT",
            f"/api/pendientes/{p}/postergar",
            "coordinadora",
            {"nuevaFecha": manana(), "motivo": "x"},
            200,
        ),
        ("POST", f"/api/pendientes/{p}/cancel", "coordinadora", {"cause": "otra vez"}, 200),
    ]
    for metodo, url, rol, cuerpo, largo in pasos:
        cabeceras = h[rol] | k(largo)
        r = await http.request(metodo, url, json=cuerpo, headers=cabeceras)
        assert r.status_code == 200, (url, r.text)
        propia = cabeceras["Idempotency-Key"]
        r = await http.get(f"/api/pendientes/{p}/cambios/{propia}", headers=h[rol])
        assert r.status_code == 200 and r.json()["data"]["idempotencyKey"] == propia, r.text
    r = await http.delete(f"/api/pendientes/{p}", headers=h["administrador"] | k(200))
    assert r.status_code == 200, r.text


async def test_idempotency_key_de_201_es_422(http, h, cliente_id, crear):
    pendiente = await crear("ASIGNADO")
    larga = {"Idempotency-Key": clave(201)}
    rutas = [
        ("POST", "/api/pendientes", "coordinadora", alta(cliente_id)),
        ("POST", f"/api/pendientes/{pendiente}/acciones/comenzar", "tecnico", None),
        ("PUT", f"/api/pendientes/{pendiente}", "coordinadora", {"prioridad": "BAJA"}),
        ("PUT", f"/api/pendientes/{pendiente}/averia", "coordinadora", {"descripcionFalla": "otra"}),
        ("PUT", f"/api/pendientes/{pendiente}/cancelar", "coordinadora", {"motivo": "x"}),
        ("DELETE", f"/api/pendientes/{pendiente}", "administrador", None),
    ]
    for metodo, url, rol, cuerpo in rutas:
        r = await http.request(metodo, url, json=cuerpo, headers=h[rol] | larga)
        assert r.status_code == 422 and r.json()["data"]["campo"] == "Idempotency-Key", (url, r.text)
    assert await version_de(http, h, pendiente) == 1


# -- Work dates: from 2000 (Lima's offset is -05:00 throughout) -------------------------------------


@pytest.mark.parametrize(
    "fecha", ["1907-06-01T09:00:00", "1908-06-01T09:00:00", "1999-12-31T23:59:59", "1950-01-01"]
)
async def test_fecha_pendiente_anterior_a_2000_es_422(http, h, cliente_id, crear, fecha):
    r = await http.post(
        "/api/pendientes", json=alta(cliente_id, fechaPendiente=fecha), headers=h["coordinadora"]
    )
    assert r.status_code == 422 and r.json()["data"]["campo"] == "fechaPendiente", r.text
    pendiente = await crear("REGISTRADO")
    r = await http.put(
        f"/api/pendientes/{pendiente}", json={"fechaPendiente": fecha}, headers=h["coordinadora"]
    )
    assert r.status_code == 422 and r.json()["data"]["campo"] == "fechaPendiente", r.text
    # 2000-01-01 00:00 in Lima is 1999-12-31 in some zones: the day is judged in Lima.
    r = await http.post(
        "/api/pendientes",
        json=alta(cliente_id, fechaPendiente="1999-12-31T22:00:00-07:00"),
        headers=h["coordinadora"],
    )
    assert r.status_code == 201, r.text


async def test_fecha_pendiente_de_2000_ida_y_vuelta_exacta(http, h, cliente_id):
    cuerpo = alta(cliente_id, fechaPendiente="2000-01-01T08:15:30")
    r = await http.post("/api/pendientes", json=cuerpo, headers=h["coordinadora"])
    assert r.status_code == 201, r.text
    assert r.json()["data"]["fechaPendiente"] == "2000-01-01T08:15:30-05:00"
