"""The original's action paths, refusals with honest codes, idempotency, concurrency and secrets."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import func, select

from db import models as m
from infra.temporal import workflow_id
from tests.api.pendientes.acciones.conftest import manana
from tests.conftest import auth


def url(pendiente_id: int, resto: str = "") -> str:
    return f"/api/pendientes/{pendiente_id}{resto}"


async def test_put_estado_se_resuelve_a_la_accion_unica(http, tokens, crear):
    pendiente_id = await crear("ASIGNADO")
    r = await http.put(url(pendiente_id, "/estado?nuevoEstado=EN_PROGRESO"), headers=auth(tokens["tecnico"]))
    assert r.status_code == 200, r.text
    assert r.json()["data"]["estado"] == "EN_PROGRESO"


async def test_put_estado_imposible_da_409_con_el_estado(http, tokens, crear):
    pendiente_id = await crear("REGISTRADO")
    r = await http.put(
        url(pendiente_id, "/estado?nuevoEstado=FINALIZADO"), headers=auth(tokens["administrador"])
    )
    assert r.status_code == 409
    assert r.json()["data"]["estado"] == "REGISTRADO"


async def test_put_estado_con_valor_desconocido_da_422(http, tokens, crear):
    pendiente_id = await crear("REGISTRADO")
    r = await http.put(
        url(pendiente_id, "/estado?nuevoEstado=SIN_PPOE"), headers=auth(tokens["administrador"])
    )
    assert r.status_code == 422
    assert r.json()["data"]["campo"] == "nuevoEstado"


@pytest.mark.parametrize("parametro", ["idAsignado", "empleadoId"])
async def test_put_asignar_mueve_a_asignado(http, tokens, crear, personas, parametro):
    pendiente_id = await crear("REGISTRADO")
    tecnico = personas.tecnicos[1].empleado_id
    r = await http.put(
        url(pendiente_id, f"/asignar?{parametro}={tecnico}"), headers=auth(tokens["coordinadora"])
    )
    assert r.status_code == 200, r.text
    assert r.json()["data"]["estado"] == "ASIGNADO"
    assert r.json()["data"]["idEmpleadoAsignado"] == tecnico


async def test_asignar_a_quien_no_es_tecnico_da_422(http, tokens, crear, personas, historial):
    pendiente_id = await crear("REGISTRADO")
    asesor = personas.actores["asesor"].empleado_id
    r = await http.put(
        url(pendiente_id, f"/asignar?idAsignado={asesor}"), headers=auth(tokens["coordinadora"])
    )
    assert r.status_code == 422
    assert len(await historial(pendiente_id)) == 1


async def test_put_postergar_y_cancelar(http, tokens, crear, historial):
    pendiente_id = await crear("ASIGNADO")
    cuerpo = {"nuevaFecha": manana().isoformat(), "motivo": "cliente de viaje", "empleadoId": 99}
    r = await http.put(url(pendiente_id, "/postergar"), json=cuerpo, headers=auth(tokens["coordinadora"]))
    assert r.status_code == 200 and r.json()["data"]["estado"] == "POSTERGADO"

    r = await http.put(
        url(pendiente_id, "/cancelar"),
        json={"cause": "ya no lo necesita"},
        headers=auth(tokens["coordinadora"]),
    )
    assert r.status_code == 200 and r.json()["data"]["estado"] == "CANCELADO"
    assert (await historial(pendiente_id))[-1].detalles == "ya no lo necesita"


@pytest.mark.parametrize(
    ("cuerpo", "campo"),
    [({}, "motivo"), ({"motivo": "x" * 501}, "motivo")],
)
async def test_cancelar_exige_causa_de_hasta_500(http, tokens, crear, cuerpo, campo):
    pendiente_id = await crear("REGISTRADO")
    r = await http.put(url(pendiente_id, "/cancelar"), json=cuerpo, headers=auth(tokens["coordinadora"]))
    assert r.status_code == 422
    assert campo in r.text


async def test_postergar_al_pasado_da_422(http, tokens, crear):
    pendiente_id = await crear("REGISTRADO")
    cuerpo = {"nuevaFecha": "2020-01-01T09:00:00"}
    r = await http.put(url(pendiente_id, "/postergar"), json=cuerpo, headers=auth(tokens["coordinadora"]))
    assert r.status_code == 422
    assert "posterior" in r.json()["message"]


async def test_estado_tecnico_por_put_y_por_el_get_antiguo(http, tokens, crear):
    pendiente_id = await crear("EN_PROGRESO")
    r = await http.put(
        url(pendiente_id, "/estado-tecnico?nuevoEstado=PENDIENTE_VLAN"), headers=auth(tokens["tecnico"])
    )
    assert r.status_code == 200 and r.json()["data"]["estadoTecnico"] == "PENDIENTE_VLAN"
    r = await http.get(
        url(pendiente_id, "/estado-tecnico?nuevoEstado=PENDIENTE_PPPoE_Y_VLAN"),
        headers=auth(tokens["tecnico"]),
    )
    assert r.status_code == 200 and r.json()["data"]["estadoTecnico"] == "PENDIENTE_PPPoE_Y_VLAN"


async def test_volver_a_ok_sin_datos_da_422(http, tokens, crear):
    pendiente_id = await crear("EN_PROGRESO", extra=[("pedir_vlan", "t")])
    r = await http.put(url(pendiente_id, "/estado-tecnico?nuevoEstado=OK"), headers=auth(tokens["red"]))
    assert r.status_code == 422
    assert "vlan" in r.json()["message"]


@pytest.mark.parametrize(
    ("tipo", "segmento", "ruta"),
    [
        ("TRASLADO", "traslado", "pppoe"),
        ("TRASLADO", "traslado", "ppoe"),
        ("AVERIA", "averia", "pppoe"),
        ("INSTALACION_INTERNET", "instalacion-internet", "ppoe"),
    ],
)
async def test_rutas_pppoe_por_query_o_cuerpo(http, tokens, crear, sessions, tipo, segmento, ruta):
    pendiente_id = await crear("EN_PROGRESO", tipo=tipo, extra=[("pedir_pppoe", "t")])
    r = await http.put(
        url(
            pendiente_id, f"/{segmento}/{ruta}?ppoeUser=cli-{pendiente_id}&ppoePassword=clave-{pendiente_id}"
        ),
        headers=auth(tokens["red"]),
    )
    assert r.status_code == 200, r.text
    assert r.json()["data"]["ppoe"] == f"cli-{pendiente_id}"
    assert r.json()["data"]["ppoePassword"] == f"clave-{pendiente_id}"  # Red may see it
    pendiente = await http.get(url(pendiente_id), headers=auth(tokens["red"]))
    assert pendiente.json()["data"]["estadoTecnico"] == "OK"


@pytest.mark.parametrize(
    ("tipo", "ruta"),
    [
        ("TRASLADO", "/traslado/vlan"),
        ("TRASLADO", "/traslado¿/vlan"),
        ("AVERIA", "/averia¿/vlan"),
        ("INSTALACION_INTERNET", "/instalacion-internet/vlan"),
    ],
)
async def test_rutas_vlan_incluidas_las_del_signo(http, tokens, crear, tipo, ruta):
    pendiente_id = await crear("EN_PROGRESO", tipo=tipo, extra=[("pedir_vlan", "t")])
    r = await http.put(url(pendiente_id, f"{ruta}?vlan=300"), headers=auth(tokens["red"]))
    assert r.status_code == 200, r.text
    assert r.json()["data"]["vlan"] == 300


async def test_ruta_de_red_de_otro_tipo_da_409(http, tokens, crear):
    pendiente_id = await crear("EN_PROGRESO", tipo="AVERIA")
    r = await http.put(url(pendiente_id, "/traslado/vlan?vlan=10"), headers=auth(tokens["red"]))
    assert r.status_code == 409
    assert r.json()["data"]["tipo"] == "AVERIA"


@pytest.mark.parametrize("vlan", [0, 4095, "diez"])
async def test_vlan_fuera_de_rango_da_422(http, tokens, crear, vlan):
    pendiente_id = await crear("EN_PROGRESO")
    r = await http.put(url(pendiente_id, f"/averia/vlan?vlan={vlan}"), headers=auth(tokens["red"]))
    assert r.status_code == 422
    assert r.json()["data"]["campo"] == "vlan"


async def test_sin_permiso_da_403_nombrandolo(http, tokens, crear, historial):
    pendiente_id = await crear("REGISTRADO")
    r = await http.post(
        url(pendiente_id, "/acciones/asignar"), json={"tecnicoId": 1}, headers=auth(tokens["asesor"])
    )
    assert r.status_code == 403
    assert "ASIGNAR_TECNICO" in r.json()["message"]
    assert len(await historial(pendiente_id)) == 1


async def test_tecnico_no_asignado_no_puede_actuar(http, tokens, crear):
    pendiente_id = await crear("ASIGNADO", tecnico=1)
    r = await http.post(url(pendiente_id, "/acciones/comenzar"), headers=auth(tokens["tecnico"]))
    assert r.status_code == 403
    assert "cliente" not in r.text


async def test_finalizar_bloqueado_por_la_red(http, tokens, crear):
    pendiente_id = await crear("EN_PROGRESO", extra=[("pedir_vlan", "t"), ("terminar", "t")])
    r = await http.post(url(pendiente_id, "/acciones/finalizar"), headers=auth(tokens["asesor"]))
    assert r.status_code == 409
    assert "PENDIENTE_VLAN" in r.json()["message"]
    assert r.json()["data"]["estadoTecnico"] == "PENDIENTE_VLAN"


async def test_instalacion_sin_pppoe_ni_vlan_no_se_finaliza(http, tokens, crear):
    pendiente_id = await crear("POR_VALIDAR", tipo="INSTALACION_INTERNET")
    r = await http.post(url(pendiente_id, "/acciones/finalizar"), headers=auth(tokens["asesor"]))
    assert r.status_code == 409
    assert "PPPoE" in r.json()["message"]
    await http.put(url(pendiente_id, "/instalacion-internet/vlan?vlan=55"), headers=auth(tokens["red"]))
    r = await http.post(url(pendiente_id, "/acciones/finalizar"), headers=auth(tokens["asesor"]))
    assert r.status_code == 200 and r.json()["data"]["estado"] == "FINALIZADO"


async def test_acciones_disponibles_dependen_de_quien_pregunta(http, tokens, crear):
    pendiente_id = await crear("ASIGNADO")
    tecnico = await http.get(url(pendiente_id, "/acciones"), headers=auth(tokens["tecnico"]))
    coordinadora = await http.get(url(pendiente_id, "/acciones"), headers=auth(tokens["coordinadora"]))
    assert set(tecnico.json()["data"]["acciones"]) == {"comenzar", "reasignar", "pedir_pppoe", "pedir_vlan"}
    assert set(coordinadora.json()["data"]["acciones"]) == {"asignar", "reasignar", "cancelar", "postergar"}


async def test_accion_desconocida_da_422(http, tokens, crear):
    pendiente_id = await crear("REGISTRADO")
    r = await http.post(url(pendiente_id, "/acciones/teletransportar"), headers=auth(tokens["administrador"]))
    assert r.status_code == 422
    assert r.json()["data"]["campo"] == "accion"


async def test_pendiente_desconocido_da_404(http, tokens):
    r = await http.post(url(987654, "/acciones/comenzar"), headers=auth(tokens["administrador"]))
    assert r.status_code == 404


async def test_reintento_con_la_misma_clave_se_aplica_una_vez(http, tokens, crear, historial):
    pendiente_id = await crear("ASIGNADO")
    cabeceras = {"Idempotency-Key": f"k-{uuid.uuid4()}"} | auth(tokens["tecnico"])
    primero = await http.post(url(pendiente_id, "/acciones/comenzar"), headers=cabeceras)
    segundo = await http.post(url(pendiente_id, "/acciones/comenzar"), headers=cabeceras)
    assert primero.status_code == segundo.status_code == 200
    assert primero.json()["data"] == segundo.json()["data"]
    assert [h.accion for h in await historial(pendiente_id)].count("comenzar") == 1


async def test_version_obsoleta_da_409(http, tokens, crear):
    pendiente_id = await crear("ASIGNADO")
    version = (await http.get(url(pendiente_id), headers=auth(tokens["tecnico"]))).json()["data"]["version"]
    await http.post(url(pendiente_id, "/acciones/pedir_vlan"), headers=auth(tokens["tecnico"]))
    r = await http.post(
        url(pendiente_id, "/acciones/comenzar"),
        headers={"If-Match": f'"{version}"'} | auth(tokens["tecnico"]),
    )
    assert r.status_code == 409
    assert r.json()["data"]["version"] == version + 1


async def test_50_asignaciones_concurrentes_un_solo_ganador(http, tokens, crear, personas, historial):
    pendiente_id = await crear("REGISTRADO")
    version = (await http.get(url(pendiente_id), headers=auth(tokens["coordinadora"]))).json()["data"][
        "version"
    ]
    tecnicos = [t.empleado_id for t in personas.tecnicos]

    respuestas = await asyncio.gather(
        *(
            http.post(
                url(pendiente_id, "/acciones/asignar"),
                json={"tecnicoId": tecnicos[i % 2], "version": version},
                headers=auth(tokens["coordinadora"]),
            )
            for i in range(50)
        )
    )

    codigos = sorted(r.status_code for r in respuestas)
    assert codigos == [200] + [409] * 49
    assert [h.accion for h in await historial(pendiente_id)].count("asignar") == 1


async def test_validar_contra_cancelar_uno_gana(http, tokens, crear, historial):
    """From OBSERVADO both are valid, and each forbids the other: 50 racing requests, one winner."""
    pendiente_id = await crear("OBSERVADO")
    antes = len(await historial(pendiente_id))
    respuestas = await asyncio.gather(
        *(
            http.post(
                url(pendiente_id, f"/acciones/{accion}"),
                json={"motivo": "carrera"},
                headers=auth(tokens["administrador"]),
            )
            for accion in ["validar", "cancelar"] * 25
        )
    )
    assert sorted(r.status_code for r in respuestas) == [200] + [409] * 49
    nuevas = (await historial(pendiente_id))[antes:]
    assert len(nuevas) == 1 and nuevas[0].estado in ("POR_VALIDAR", "CANCELADO")


async def test_la_password_pppoe_no_entra_en_temporal_ni_en_el_historial(
    http, tokens, crear, temporal_env, historial, sessions
):
    secreto = f"S3creto-{uuid.uuid4().hex}"
    pendiente_id = await crear("EN_PROGRESO", tipo="INSTALACION_INTERNET", extra=[("pedir_pppoe", "t")])
    r = await http.put(
        url(pendiente_id, "/instalacion-internet/pppoe"),
        json={"pppoeUser": "abonado7", "pppoePassword": secreto},
        headers=auth(tokens["red"]),
    )
    assert r.status_code == 200

    historia = await temporal_env.client.get_workflow_handle(workflow_id(pendiente_id)).fetch_history()
    assert secreto not in historia.to_json()
    assert all(secreto not in (h.detalles or "") for h in await historial(pendiente_id))
    async with sessions() as s:
        guardada = await s.scalar(
            select(m.PendienteInstalacionInternet.pppoe_password_cifrado).where(
                m.PendienteInstalacionInternet.pendiente_id == pendiente_id
            )
        )
    assert guardada and secreto not in guardada


async def test_cada_200_deja_exactamente_una_fila(http, tokens, crear, sessions):
    pendiente_id = await crear("ASIGNADO")
    for accion in ["comenzar", "pausar", "continuar", "pausar", "continuar"]:
        r = await http.post(url(pendiente_id, f"/acciones/{accion}"), headers=auth(tokens["tecnico"]))
        assert r.status_code == 200
    async with sessions() as s:
        filas = await s.scalar(
            select(func.count()).select_from(m.Historial).where(m.Historial.pendiente_id == pendiente_id)
        )
        seq = await s.scalar(select(m.Pendiente.seq).where(m.Pendiente.id == pendiente_id))
    assert filas == 7 and seq == 6


async def test_un_caracter_nulo_no_es_un_500(http, tokens, crear):
    pendiente_id = await crear("REGISTRADO")
    r = await http.put(
        url(pendiente_id, "/cancelar"),
        json={"motivo": "con \u0000 nulo"},
        headers=auth(tokens["coordinadora"]),
    )
    assert r.status_code == 422


async def test_password_vacia_por_query_da_422(http, tokens, crear):
    """Found by the schema fuzzer: an empty ppoePassword in the query string used to crash."""
    pendiente_id = await crear("EN_PROGRESO", tipo="TRASLADO")
    r = await http.put(
        url(pendiente_id, "/traslado/ppoe?ppoeUser=a&ppoePassword="), headers=auth(tokens["red"])
    )
    assert r.status_code == 422
    assert r.json()["data"]["campo"] == "pppoePassword"


async def test_cancelar_con_el_ejemplo_de_persat(http, tokens, crear):
    """The seed's Persat request works as written (host and id aside)."""
    pendiente_id = await crear("ASIGNADO")
    cuerpo = {"cause": "No me encuentro en el domicilio por vacaciones", "labels_ids": [1, 6]}
    r = await http.post(url(pendiente_id, "/cancel"), json=cuerpo, headers=auth(tokens["coordinadora"]))
    assert r.status_code == 200 and r.json()["data"]["estado"] == "CANCELADO"
    otra = await http.post(url(pendiente_id, "/cancel"), json=cuerpo, headers=auth(tokens["coordinadora"]))
    assert otra.status_code == 409
