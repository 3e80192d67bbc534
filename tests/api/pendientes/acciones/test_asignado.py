"""EJECUTAR_TRABAJO counts only for the technician assigned to the pendiente (ADMINISTRAR overrides),
end to end: users who may SEE the pendiente but are not its technician are refused over HTTP (403
naming the rule, nothing written) and by signal (recorded as `senal_rechazada`, state unchanged).
The table is typed here from product-decisions.md, independently of domain/."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from contrato.mensajes import ActorMsg, OrdenAccion
from db import models as m
from infra.temporal import workflow_id
from tests.api.pendientes.acciones.conftest import avanzar, datos_para, manana
from workflows.pendiente import PendienteWorkflow

# (state where the assigned technician may act, EJECUTAR_TRABAJO action, estado after, estadoTecnico after)
TRABAJO = [
    ("ASIGNADO", "comenzar", "EN_PROGRESO", "OK"),
    ("EN_PROGRESO", "pausar", "PAUSADO", "OK"),
    ("PAUSADO", "continuar", "EN_PROGRESO", "OK"),
    ("EN_PROGRESO", "terminar", "POR_VALIDAR", "OK"),
    ("PAUSADO", "terminar", "POR_VALIDAR", "OK"),
    ("EN_PROGRESO", "solicitar_revision", "REVISION", "OK"),
    ("PAUSADO", "solicitar_revision", "REVISION", "OK"),
    ("OBSERVADO", "retomar", "EN_PROGRESO", "OK"),
    ("ASIGNADO", "reasignar", "REGISTRADO", "OK"),
    ("EN_PROGRESO", "reasignar", "REGISTRADO", "OK"),
    ("PAUSADO", "reasignar", "REGISTRADO", "OK"),
    ("ASIGNADO", "pedir_pppoe", "ASIGNADO", "PENDIENTE_PPPoE"),
    ("EN_PROGRESO", "pedir_vlan", "EN_PROGRESO", "PENDIENTE_VLAN"),
]
# Users who may see the pendiente, hold EJECUTAR_TRABAJO, and are not its technician.
AJENOS = {
    "ver_todos": ("VER_TODOS", "EJECUTAR_TRABAJO"),
    "registrante": ("REGISTRAR_PENDIENTE", "VER_DETALLE", "EJECUTAR_TRABAJO"),
}
ESPERA_SENAL = 10.0  # seconds a signal may take to leave its historial row


def url(pendiente_id: int, resto: str = "") -> str:
    return f"/api/pendientes/{pendiente_id}{resto}"


@pytest.fixture(scope="module")
async def ajenos(http, cuenta) -> dict[str, tuple[dict[str, str], int, int]]:
    """By kind: (headers, usuario id, empleado id) of a fresh account."""
    resultado = {}
    for nombre, permisos in AJENOS.items():
        cabeceras = await cuenta(*permisos)
        yo = (await http.get("/api/usuarios/usuario", headers=cabeceras)).json()["data"]
        resultado[nombre] = (cabeceras, yo["id"], yo["empleado"]["id"])
    return resultado


@pytest.fixture(scope="module")
def pendiente_para(http, app, crear, personas, sessions, ajenos):
    """Factory: a pendiente in `estado`, assigned to the first demo technician, that `quien` may see:
    VER_TODOS sees any; the VER_DETALLE technician sees it because they registered it over HTTP."""

    async def _pendiente(quien: str, estado: str) -> int:
        if quien != "registrante":
            return await crear(estado)
        async with sessions() as s:
            cliente = await s.scalar(select(m.Cliente.id).where(m.Cliente.codigo_cliente == "CLI000002"))
        cuerpo = {
            "clienteId": cliente,
            "tipo": "AVERIA",
            "lugar": "ILAVE",
            "prioridad": "MEDIA",
            "fechaPendiente": manana().isoformat(),
            "detalle": {"descripcionFalla": "sin señal"},
        }
        r = await http.post("/api/pendientes", json=cuerpo, headers=ajenos[quien][0])
        assert r.status_code == 201, r.text
        assert r.json()["data"]["idEmpleadoRegistro"] == ajenos[quien][2]
        pendiente_id = r.json()["data"]["id"]
        await avanzar(app.state.comandos, personas, pendiente_id, estado)
        return pendiente_id

    return _pendiente


async def _esperar_fila_nueva(historial, pendiente_id: int, antes: int) -> m.Historial:
    """The historial row a signal leaves (signals answer nothing: the row is the event to wait for)."""
    limite = asyncio.get_running_loop().time() + ESPERA_SENAL
    while asyncio.get_running_loop().time() < limite:
        filas = await historial(pendiente_id)
        if len(filas) > antes:
            assert len(filas) == antes + 1, [f.accion for f in filas[antes:]]
            return filas[-1]
        await asyncio.sleep(0.05)
    raise AssertionError(f"the signal left no historial row on pendiente {pendiente_id} in {ESPERA_SENAL}s")


async def _senal(temporal_env, pendiente_id: int, accion: str, usuario_id: int, tecnico_id: int) -> None:
    # The payload names the user only: the workflow reads their permissions and empleado from Postgres.
    orden = OrdenAccion(
        actor=ActorMsg(usuario_id=usuario_id),
        tecnico_id=tecnico_id,
        motivo=f"motivo de {accion}",
        nueva_fecha=manana(),
    )
    await temporal_env.client.get_workflow_handle(workflow_id(pendiente_id)).signal(accion, orden)


async def _vivo(temporal_env, pendiente_id: int) -> tuple[str, str, int | None]:
    handle = temporal_env.client.get_workflow_handle_for(PendienteWorkflow.run, workflow_id(pendiente_id))
    v = await handle.query(PendienteWorkflow.estado)
    return v.estado.value, v.estado_tecnico.value, v.asignado_a


@pytest.mark.parametrize("quien", list(AJENOS))
@pytest.mark.parametrize(("estado", "accion", "hacia", "hacia_tecnico"), TRABAJO, ids=lambda v: str(v))
async def test_por_http_quien_ve_pero_no_es_el_asignado_recibe_403(
    http, ajenos, pendiente_para, historial, personas, quien, estado, accion, hacia, hacia_tecnico
):
    cabeceras = ajenos[quien][0]
    pendiente_id = await pendiente_para(quien, estado)
    visto = await http.get(url(pendiente_id), headers=cabeceras)
    # Visible, so the 403 below comes from the assigned-technician rule, not from visibility.
    assert visto.status_code == 200, visto.text
    filas = len(await historial(pendiente_id))
    botones = (await http.get(url(pendiente_id, "/acciones"), headers=cabeceras)).json()["data"]["acciones"]

    r = await http.post(
        url(pendiente_id, f"/acciones/{accion}"),
        json=datos_para(accion, personas.tecnicos[0].empleado_id),
        headers=cabeceras,
    )

    assert r.status_code == 403, r.text
    cuerpo = r.json()
    assert (cuerpo["success"], cuerpo["code"]) == (False, 403)
    assert f"solo el técnico asignado puede '{accion}'" in cuerpo["message"]
    assert accion not in botones
    despues = await http.get(url(pendiente_id), headers=cabeceras)
    assert despues.json()["data"] == visto.json()["data"]  # estado, estadoTecnico, técnico, version
    assert len(await historial(pendiente_id)) == filas


@pytest.mark.parametrize("quien", list(AJENOS))
@pytest.mark.parametrize(("estado", "accion", "hacia", "hacia_tecnico"), TRABAJO, ids=lambda v: str(v))
async def test_por_senal_quien_no_es_el_asignado_queda_rechazado(
    temporal_env, ajenos, pendiente_para, historial, personas, quien, estado, accion, hacia, hacia_tecnico
):
    _, usuario_id, empleado_id = ajenos[quien]
    pendiente_id = await pendiente_para(quien, estado)
    antes = await _vivo(temporal_env, pendiente_id)
    assert antes == (estado, "OK", personas.tecnicos[0].empleado_id)
    filas = len(await historial(pendiente_id))

    await _senal(temporal_env, pendiente_id, accion, usuario_id, personas.tecnicos[0].empleado_id)

    fila = await _esperar_fila_nueva(historial, pendiente_id, filas)
    assert (fila.accion, fila.estado, fila.estado_tecnico) == ("senal_rechazada", estado, "OK")
    assert fila.empleado_id == empleado_id
    assert f"{accion}: solo el técnico asignado" in fila.detalles
    assert await _vivo(temporal_env, pendiente_id) == antes


# The technician releasing themselves over HTTP answers without the pendiente's data (they no longer see
# it): tests/api/pendientes/acciones/test_liberar.py covers that case.
POR_HTTP = [
    (rol, *fila)
    for rol in ("tecnico", "administrador")
    for fila in TRABAJO
    if (rol, fila[1]) != ("tecnico", "reasignar")
]


@pytest.mark.parametrize(
    ("rol", "estado", "accion", "hacia", "hacia_tecnico"), POR_HTTP, ids=lambda v: str(v)
)
async def test_por_http_el_asignado_y_el_administrador_si_pueden(
    http, h, crear, historial, personas, rol, estado, accion, hacia, hacia_tecnico
):
    pendiente_id = await crear(estado)
    filas = len(await historial(pendiente_id))

    r = await http.post(
        url(pendiente_id, f"/acciones/{accion}"),
        json=datos_para(accion, personas.tecnicos[0].empleado_id),
        headers=h[rol],
    )

    assert r.status_code == 200, r.text
    assert (r.json()["data"]["estado"], r.json()["data"]["estadoTecnico"]) == (hacia, hacia_tecnico)
    nuevas = (await historial(pendiente_id))[filas:]
    actor = personas.tecnicos[0] if rol == "tecnico" else personas.actores[rol]
    assert [(f.accion, f.estado, f.empleado_id) for f in nuevas] == [(accion, hacia, actor.empleado_id)]


@pytest.mark.parametrize("rol", ["tecnico", "administrador"])
@pytest.mark.parametrize(("estado", "accion", "hacia", "hacia_tecnico"), TRABAJO, ids=lambda v: str(v))
async def test_por_senal_el_asignado_y_el_administrador_si_pueden(
    temporal_env, crear, historial, personas, rol, estado, accion, hacia, hacia_tecnico
):
    actor = personas.tecnicos[0] if rol == "tecnico" else personas.actores[rol]
    pendiente_id = await crear(estado)
    filas = len(await historial(pendiente_id))

    await _senal(temporal_env, pendiente_id, accion, actor.usuario_id, personas.tecnicos[0].empleado_id)

    fila = await _esperar_fila_nueva(historial, pendiente_id, filas)
    assert (fila.accion, fila.estado, fila.estado_tecnico) == (accion, hacia, hacia_tecnico)
    assert fila.empleado_id == actor.empleado_id
    assert (await _vivo(temporal_env, pendiente_id))[:2] == (hacia, hacia_tecnico)
