"""Every accepted change of a pendiente writes one event in its own transaction (the outbox): the type
of the change, the pendiente's version after it, and the pendiente as an administrator reads it through
the API. A refused change writes nothing; a retried one is still one event."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from sqlalchemy import select, text

from db import models as m
from tests.api.eventos.conftest import mismo_pendiente
from tests.api.pendientes.acciones.conftest import manana

ID_EVENTO = re.compile(r"evt_[0-9a-f]{32}")


def quien(persona) -> dict:
    return {"usuarioId": persona.usuario_id, "empleadoId": persona.empleado_id, "nombre": persona.nombre}


async def _uno(eventos, desde: int, pendiente_id: int, tipo: str):
    escritos = await eventos(desde, pendiente_id)
    assert [e.tipo for e in escritos] == [tipo]
    return escritos[0]


async def _como_la_api(evento, como_admin, pendiente_id: int, segmento: str) -> dict:
    """Check the event's pendiente and detail against the API's answers; returns the GET's data."""
    api = await como_admin(f"/api/pendientes/{pendiente_id}")
    vista = evento.datos["pendiente"]
    mismo_pendiente(vista, api)
    assert evento.seq == api["version"] and evento.pendiente_id == pendiente_id
    assert vista["eliminado"] is False
    detalle = await como_admin(f"/api/pendientes/{pendiente_id}/{segmento}")
    detalle.pop("ppoePassword")
    assert vista["detalle"] == detalle
    assert ID_EVENTO.fullmatch(evento.id)
    return api


async def test_cada_cambio_de_un_pendiente_escribe_su_evento(
    http, h, personas, nuevo_cliente, ultimo, eventos, como_admin
):
    coordinadora = personas.actores["coordinadora"]
    cliente_id = await nuevo_cliente()
    desde = await ultimo()
    cuerpo = {
        "clienteId": cliente_id,
        "tipo": "AVERIA",
        "lugar": "JULIACA",
        "prioridad": "MEDIA",
        "direccion": "Jr. Puno 12",
        "fechaPendiente": manana().isoformat(),
        "detalle": {"descripcionFalla": "sin señal desde ayer"},
    }
    r = await http.post("/api/pendientes", json=cuerpo, headers=h["coordinadora"])
    assert r.status_code == 201, r.text
    pendiente_id = r.json()["data"]["id"]
    creado = await _uno(eventos, desde, pendiente_id, "pendiente.creado")
    await _como_la_api(creado, como_admin, pendiente_id, "averia")
    assert creado.seq == 0 and creado.cliente_id == cliente_id
    assert creado.datos["actor"] == quien(coordinadora)
    assert creado.datos["pendiente"]["detalle"]["descripcionFalla"] == "sin señal desde ayer"

    base = f"/api/pendientes/{pendiente_id}"
    tecnico = personas.tecnicos[0]
    pasos = [
        ("put", base, {"direccion": "Jr. Lampa 40", "prioridad": "URGENTE"}, "pendiente.editado"),
        ("put", f"{base}/averia", {"descripcionFalla": "sin luz"}, "pendiente.detalle_guardado"),
        (
            "post",
            f"{base}/acciones/asignar",
            {"tecnicoId": tecnico.empleado_id, "motivo": "zona de Edwin"},
            "pendiente.asignado",
        ),
        (
            "post",
            f"{base}/acciones/postergar",
            {"nuevaFecha": (manana() + timedelta(days=3)).isoformat(), "motivo": "lluvias"},
            "pendiente.postergado",
        ),
        ("post", f"{base}/acciones/cancelar", {"motivo": "cliente desistió"}, "pendiente.cancelado"),
    ]
    version = 0
    for metodo, url, datos, tipo in pasos:
        desde = await ultimo()
        r = await http.request(metodo.upper(), url, json=datos, headers=h["coordinadora"])
        assert r.status_code == 200, r.text
        evento = await _uno(eventos, desde, pendiente_id, tipo)
        api = await _como_la_api(evento, como_admin, pendiente_id, "averia")
        assert api["version"] == version + 1, tipo
        version = api["version"]
        assert evento.datos["actor"] == quien(coordinadora), tipo
        if "motivo" in datos:
            assert evento.datos["motivo"] == datos["motivo"], tipo
    assert api["direccion"] == "Jr. Lampa 40" and api["estado"] == "CANCELADO"
    assert evento.datos["pendiente"]["detalle"]["descripcionFalla"] == "sin luz"

    ultima_vista = await como_admin(base)
    desde = await ultimo()
    r = await http.delete(base, headers=h["coordinadora"])
    assert r.status_code == 200, r.text
    eliminado = await _uno(eventos, desde, pendiente_id, "pendiente.eliminado")
    vista = eliminado.datos["pendiente"]
    assert vista["eliminado"] is True
    assert eliminado.seq == vista["version"] == ultima_vista["version"] + 1
    mismo_pendiente(vista, ultima_vista | {"version": ultima_vista["version"] + 1})
    assert (await http.get(base, headers=h["administrador"])).status_code == 404


async def test_un_cambio_rechazado_no_escribe_eventos(http, h, crear, ultimo, eventos):
    pendiente_id = await crear("REGISTRADO")
    base = f"/api/pendientes/{pendiente_id}/acciones"
    desde = await ultimo()

    # Not possible from REGISTRADO; a required field missing; a role without the permission.
    finalizar = await http.post(f"{base}/finalizar", json={}, headers=h["asesor"])
    sin_fecha = await http.post(f"{base}/postergar", json={"motivo": "x"}, headers=h["coordinadora"])
    sin_permiso = await http.post(f"{base}/cancelar", json={"motivo": "x"}, headers=h["contabilidad"])

    assert (finalizar.status_code, sin_fecha.status_code, sin_permiso.status_code) == (409, 422, 403)
    assert await eventos(desde, pendiente_id) == []


async def test_la_misma_peticion_reintentada_deja_un_solo_evento(http, h, crear, personas, ultimo, eventos):
    pendiente_id = await crear("REGISTRADO")
    clave = {"Idempotency-Key": f"k-{uuid.uuid4()}"}
    cuerpo = {"tecnicoId": personas.tecnicos[0].empleado_id}
    url = f"/api/pendientes/{pendiente_id}/acciones/asignar"
    desde = await ultimo()

    primera = await http.post(url, json=cuerpo, headers=clave | h["coordinadora"])
    repetida = await http.post(url, json=cuerpo, headers=clave | h["coordinadora"])

    assert primera.status_code == repetida.status_code == 200
    assert repetida.json()["data"] == primera.json()["data"]
    escritos = await eventos(desde, pendiente_id)
    assert [(e.tipo, e.seq) for e in escritos] == [("pendiente.asignado", primera.json()["data"]["version"])]


async def test_ningun_evento_lleva_la_clave_pppoe(http, h, crear, sessions, ultimo, eventos):
    pendiente_id = await crear("ASIGNADO", "INSTALACION_INTERNET")
    base = f"/api/pendientes/{pendiente_id}"
    por_ruta, por_accion = f"ruta-{uuid.uuid4().hex}", f"accion-{uuid.uuid4().hex}"
    desde = await ultimo()

    r = await http.put(
        f"{base}/instalacion-internet/pppoe",
        json={"pppoeUser": f"cli_{pendiente_id}", "pppoePassword": por_ruta},
        headers=h["red"],
    )
    assert r.status_code == 200, r.text
    async with sessions() as s:
        cifrada_ruta = (await s.get(m.PendienteInstalacionInternet, pendiente_id)).pppoe_password_cifrado
    r = await http.post(
        f"{base}/acciones/configurar_pppoe",
        json={"pppoeUser": f"otro_{pendiente_id}", "pppoePassword": por_accion},
        headers=h["red"],
    )
    assert r.status_code == 200, r.text
    async with sessions() as s:
        detalle = await s.get(m.PendienteInstalacionInternet, pendiente_id)
        cifrada_accion = detalle.pppoe_password_cifrado
        textos = list(await s.scalars(select(text("datos::text")).select_from(m.Evento)))

    escritos = await eventos(desde, pendiente_id)
    assert [e.tipo for e in escritos] == ["pendiente.pppoe_configurado"] * 2
    assert escritos[-1].datos["pendiente"]["detalle"]["ppoe"] == f"otro_{pendiente_id}"
    assert cifrada_ruta and cifrada_accion
    for secreto in (por_ruta, por_accion, cifrada_ruta, cifrada_accion):
        assert not [t for t in textos if secreto in t]
    for evento in escritos:
        assert (
            not {"ppoePassword", "pppoePassword", "pppoePasswordCifrado"}
            & evento.datos["pendiente"]["detalle"].keys()
        )
