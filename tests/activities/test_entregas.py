"""Events out, end to end on real parts: events written to the outbox (as the change writes them), the
relay and delivery workflows on a real worker and Temporal server, Postgres, and a receiver on 127.0.0.1
that fails on purpose. The receiver checks every signature with its own HMAC.

What a receiver depends on: every event arrives, signed, once it has answered 2xx never again; a
pendiente's events arrive in seq order even when one must be retried, while other pendientes' events are
not held back; a 410 turns the subscription off; a subscription failing for too long is turned off and
the administrators are told; a receiver written for the peer's webhooks reads ours unchanged."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from contrato import nombres
from db import models as m
from domain.eventos import EstadoEntrega, Formato, TipoEvento
from infra.seguridad import Cifrador
from infra.temporal import asegurar_repartidor
from infra.webhooks import generar_secreto
from tests.activities.receptor import Receptor, apartar_lo_anterior, firma_valida
from worker import build_worker

TIMEOUT_RECEPTOR = 1.0


@pytest.fixture
async def motor(settings, temporal_env, sessions):
    """A worker with the delivery workflows on a queue of its own, its relay running; the receivers'
    timeout is short so that a silent receiver costs a second."""
    ajustes = settings.model_copy(update={"webhook_timeout_segundos": TIMEOUT_RECEPTOR})
    cola = f"entregas-{uuid.uuid4().hex[:8]}"
    repartidor = f"repartidor-{cola}"
    await apartar_lo_anterior(sessions)
    async with build_worker(temporal_env.client, sessions, cola, settings=ajustes):
        await asegurar_repartidor(temporal_env.client, cola, repartidor)
        yield ajustes
        await temporal_env.client.get_workflow_handle(repartidor).terminate("fin de la prueba")
    await apartar_lo_anterior(sessions)


async def crear_webhook(sessions, settings, url: str, **campos) -> tuple[int, str]:
    secreto = generar_secreto()
    cifrado = Cifrador(settings.secrets_key.get_secret_value()).cifrar(secreto)
    async with sessions.begin() as s:
        fila = m.Webhook(url=url, secreto_cifrado=cifrado, **campos)
        s.add(fila)
        await s.flush()
        return fila.id, secreto


def vista(pendiente_id: int, lugar: str, **campos) -> dict:
    """A pendiente as the outbox writes it (the API's administrator view, camelCase)."""
    return {
        "id": pendiente_id,
        "fechaCreacion": datetime.now(UTC).astimezone().isoformat(),
        "fechaPendiente": None,
        "idEmpleadoRegistro": 2,
        "registradoPor": "Carmen Condori",
        "idEmpleadoAsignado": None,
        "asignadoA": None,
        "estado": "REGISTRADO",
        "estadoTecnico": "OK",
        "lugar": lugar,
        "prioridad": "MEDIA",
        "tipo": "AVERIA",
        "idCliente": 3,
        "cliente": "Fabrica de motores",
        "codCliente": "CLI000003",
        "vencido": False,
        "etiquetas": [],
        **campos,
    }


async def escribir_eventos(sessions, eventos: list[tuple[TipoEvento, int, int, dict]]) -> list[str]:
    """(tipo, pendiente_id, seq, vista) in this order, in one transaction; their public ids."""
    ids = []
    async with sessions.begin() as s:
        for tipo, pendiente_id, seq, datos in eventos:
            ids.append(f"evt_{uuid.uuid4().hex}")
            s.add(
                m.Evento(
                    id=ids[-1], tipo=tipo, pendiente_id=pendiente_id, seq=seq, datos={"pendiente": datos}
                )
            )
    return ids


async def hasta(condicion, segundos: float, que: str):
    limite = asyncio.get_running_loop().time() + segundos
    while asyncio.get_running_loop().time() < limite:
        if resultado := await condicion() if asyncio.iscoroutinefunction(condicion) else condicion():
            return resultado
        await asyncio.sleep(0.1)
    raise AssertionError(f"{que}: not within {segundos} s")


async def entregas_de(sessions, webhook_id: int) -> list[m.Entrega]:
    async with sessions() as s:
        consulta = (
            select(m.Entrega).where(m.Entrega.webhook_id == webhook_id).order_by(m.Entrega.evento_numero)
        )
        return list(await s.scalars(consulta))


async def intentos_de(sessions, entrega_id: int) -> list[m.IntentoEntrega]:
    async with sessions() as s:
        consulta = select(m.IntentoEntrega).where(m.IntentoEntrega.entrega_id == entrega_id)
        return list(await s.scalars(consulta.order_by(m.IntentoEntrega.numero)))


def _numeros() -> tuple[int, int, int]:
    base = uuid.uuid4().int % 10**8 * 10
    return base + 1, base + 2, base + 3


async def test_todo_llega_firmado_una_vez_y_en_orden_por_pendiente(motor, sessions):
    lugar = f"L-{uuid.uuid4().hex[:6]}"
    a, b, c = _numeros()

    def guion(peticion, previas: int):
        cuerpo = peticion.json
        primero = previas == 0 and cuerpo["seq"] == 1
        if primero and cuerpo["pendienteId"] == a:
            return ("colgar", TIMEOUT_RECEPTOR * 3)  # silent past the sender's timeout
        if primero and cuerpo["pendienteId"] == b:
            return 500
        return 200

    async with Receptor(guion) as receptor:
        webhook_id, secreto = await crear_webhook(sessions, motor, receptor.url, filtro_lugares=[lugar])
        creado, asignado, comenzado = (
            TipoEvento.PENDIENTE_CREADO,
            TipoEvento.PENDIENTE_ASIGNADO,
            TipoEvento.PENDIENTE_COMENZADO,
        )
        ids = await escribir_eventos(
            sessions,
            [
                (creado, a, 1, vista(a, lugar)),
                (creado, b, 1, vista(b, lugar)),
                (asignado, a, 2, vista(a, lugar, estado="ASIGNADO")),
                (creado, c, 1, vista(c, lugar)),
                (asignado, b, 2, vista(b, lugar, estado="ASIGNADO")),
                (comenzado, a, 3, vista(a, lugar, estado="EN_PROGRESO")),
            ],
        )
        await hasta(lambda: len(receptor.aceptadas()) >= len(ids), 40, "every event delivered")
        await asyncio.sleep(1)  # anything sent twice would arrive now

    # Every request is ours, signed with the subscription's secret, and carries the event it names.
    assert receptor.peticiones
    for peticion in receptor.peticiones:
        assert firma_valida(secreto, peticion.cabeceras, peticion.cuerpo), peticion.cabeceras
        assert peticion.json["id"] == peticion.id
    # Every event delivered, none twice to a receiver that answered 2xx.
    assert sorted(p.id for p in receptor.aceptadas()) == sorted(ids)
    # Per pendiente, in seq order: A's later events were not even sent before its first was accepted.
    for pendiente in (a, b, c):
        enviadas = [p.json["seq"] for p in receptor.peticiones if p.json["pendienteId"] == pendiente]
        assert enviadas == sorted(enviadas), (pendiente, enviadas)
    por_id = {p.id: p for p in receptor.aceptadas()}
    # C and B were not held back by A, whose first event waited for its retry (~5 s).
    assert por_id[ids[3]].momento < por_id[ids[0]].momento
    assert por_id[ids[4]].momento < por_id[ids[0]].momento

    # The log: every delivery ENTREGADA; the retried ones show the silence and the 500, then the 200.
    entregas = await entregas_de(sessions, webhook_id)
    assert [e.estado for e in entregas] == [EstadoEntrega.ENTREGADA] * len(ids)
    assert all(e.entregada_en is not None for e in entregas)
    de_a = await intentos_de(sessions, entregas[0].id)
    de_b = await intentos_de(sessions, entregas[1].id)
    assert [(i.numero, i.status) for i in de_a] == [(1, None), (2, 200)]
    assert "sin respuesta" in de_a[0].error and de_a[0].latencia_ms >= TIMEOUT_RECEPTOR * 1000
    assert [(i.numero, i.status) for i in de_b] == [(1, 500), (2, 200)]
    assert '"status": 500' in de_b[0].respuesta
    async with sessions() as s:
        assert (await s.get(m.Webhook, webhook_id)).fallando_desde is None


async def test_un_fallo_a_mitad_de_una_racha_se_reintenta_ese_y_los_siguientes_esperan(motor, sessions):
    """Deliveries of one key go out in runs while the receiver accepts; the one it refuses is the one
    retried, and the key's later events are sent only after it is accepted."""
    lugar = f"L-{uuid.uuid4().hex[:6]}"
    a, _, _ = _numeros()

    def guion(peticion, previas: int):
        return 500 if peticion.json["seq"] == 2 and previas == 0 else 200

    async with Receptor(guion) as receptor:
        webhook_id, _ = await crear_webhook(sessions, motor, receptor.url, filtro_lugares=[lugar])
        eventos = [(TipoEvento.PENDIENTE_CREADO, a, 1, vista(a, lugar))]
        eventos += [(TipoEvento.PENDIENTE_EDITADO, a, seq, vista(a, lugar)) for seq in (2, 3, 4)]
        ids = await escribir_eventos(sessions, eventos)
        await hasta(lambda: len(receptor.aceptadas()) >= len(ids), 40, "every event delivered")

    # In seq order, each accepted once; the refused one was sent again before any later one.
    assert [p.json["seq"] for p in receptor.peticiones] == [1, 2, 2, 3, 4]
    assert [p.status for p in receptor.peticiones] == [200, 500, 200, 200, 200]

    # The receiver answers before the attempt is recorded: wait for the record of the last one.
    async def registradas():
        entregas = await entregas_de(sessions, webhook_id)
        return entregas if all(e.estado == "ENTREGADA" for e in entregas) else None

    entregas = await hasta(registradas, 20, "every delivery recorded as ENTREGADA")
    assert len(entregas) == 4
    assert [len(await intentos_de(sessions, e.id)) for e in entregas] == [1, 2, 1, 1]


async def test_410_desactiva_la_suscripcion(motor, sessions):
    lugar = f"L-{uuid.uuid4().hex[:6]}"
    a, _, _ = _numeros()
    async with Receptor(lambda p, n: 410) as receptor:
        webhook_id, _ = await crear_webhook(sessions, motor, receptor.url, filtro_lugares=[lugar])
        await escribir_eventos(sessions, [(TipoEvento.PENDIENTE_CREADO, a, 1, vista(a, lugar))])

        async def descartada():
            return [e.estado for e in await entregas_de(sessions, webhook_id)] == [EstadoEntrega.DESCARTADA]

        await hasta(descartada, 20, "the delivery discarded")
        await escribir_eventos(sessions, [(TipoEvento.PENDIENTE_ASIGNADO, a, 2, vista(a, lugar))])
        await asyncio.sleep(2)
    async with sessions() as s:
        webhook = await s.get(m.Webhook, webhook_id)
    assert webhook.activo is False and "410" in webhook.motivo_inactivo
    # Nothing more goes to it: one request in all, no delivery for the later event.
    assert len(receptor.peticiones) == 1
    assert len(await entregas_de(sessions, webhook_id)) == 1


async def test_fallar_demasiado_tiempo_desactiva_y_avisa_a_los_administradores(motor, sessions, demo):
    lugar = f"L-{uuid.uuid4().hex[:6]}"
    a, _, _ = _numeros()
    async with Receptor(lambda p, n: 503) as receptor:
        horas = motor.webhook_desactivar_tras_horas
        hace = datetime.now(UTC) - timedelta(hours=horas + 1)
        webhook_id, _ = await crear_webhook(
            sessions, motor, receptor.url, filtro_lugares=[lugar], fallando_desde=hace
        )
        await escribir_eventos(sessions, [(TipoEvento.PENDIENTE_CREADO, a, 1, vista(a, lugar))])

        async def descartada():
            return [e.estado for e in await entregas_de(sessions, webhook_id)] == [EstadoEntrega.DESCARTADA]

        await hasta(descartada, 20, "the delivery discarded")
    async with sessions() as s:
        webhook = await s.get(m.Webhook, webhook_id)
        administradora = await s.scalar(select(m.Usuario.id).where(m.Usuario.rol_id == "administrador"))
        avisos = list(
            await s.scalars(select(m.Notificacion).where(m.Notificacion.usuario_id == administradora))
        )
    assert webhook.activo is False and webhook.motivo_inactivo
    assert [n for n in avisos if f"webhook {webhook_id} " in (n.mensaje or "")], [n.mensaje for n in avisos]


async def test_un_receptor_escrito_para_el_par_lee_lo_nuestro(motor, sessions):
    lugar = f"L-{uuid.uuid4().hex[:6]}"
    a, _, _ = _numeros()
    leidos: list[tuple] = []

    def receptor_del_par(peticion, previas: int):
        # As an integration written for Persat reads its webhooks (reference §10.3).
        mensaje = peticion.json
        if mensaje["eventType"] == "workorder.created":
            ot = mensaje["payload"]
            leidos.append((ot["_id"], ot["state"], ot["client"]["name"]))
        return 200

    async with Receptor(receptor_del_par) as receptor:
        await crear_webhook(
            sessions,
            motor,
            receptor.url,
            formato=Formato.PERSAT,
            eventos=[TipoEvento.PENDIENTE_CREADO.value],
            filtro_lugares=[lugar],
        )
        await escribir_eventos(
            sessions,
            [
                (TipoEvento.PENDIENTE_CREADO, a, 1, vista(a, lugar)),
                (TipoEvento.PENDIENTE_ASIGNADO, a, 2, vista(a, lugar, estado="ASIGNADO")),
            ],
        )
        await hasta(lambda: leidos, 20, "the peer's receiver got workorder.created")
        await asyncio.sleep(1)
    assert leidos == [(str(a), "PENDIENTE", "Fabrica de motores")]
    # Subscribed to creations only: the assignment was not sent.
    assert len(receptor.peticiones) == 1


async def test_un_destino_prohibido_no_se_llama_y_queda_en_el_registro(motor, sessions):
    lugar = f"L-{uuid.uuid4().hex[:6]}"
    a, _, _ = _numeros()
    webhook_id, _ = await crear_webhook(
        sessions, motor, "http://169.254.169.254/latest/meta-data", filtro_lugares=[lugar]
    )
    await escribir_eventos(sessions, [(TipoEvento.PENDIENTE_CREADO, a, 1, vista(a, lugar))])

    async def intentada():
        entregas = await entregas_de(sessions, webhook_id)
        return entregas if entregas and entregas[0].intentos else None

    [entrega] = await hasta(intentada, 20, "the attempt logged")
    [intento] = await intentos_de(sessions, entrega.id)
    assert intento.status is None and "metadatos" in intento.error
    # Retried along the ladder like any failure (the address may be fixed by editing the subscription).
    assert entrega.estado == EstadoEntrega.PENDIENTE and entrega.proximo_intento is not None
    async with sessions.begin() as s:
        await s.execute(update(m.Webhook).where(m.Webhook.id == webhook_id).values(vigente=False))


async def test_el_repartidor_es_uno_aunque_arranquen_dos_workers(temporal_env, motor):
    cola = f"otra-{uuid.uuid4().hex[:6]}"
    id_ = f"repartidor-{cola}"
    await asegurar_repartidor(temporal_env.client, cola, id_)
    primera = (await temporal_env.client.get_workflow_handle(id_).describe()).run_id
    await asegurar_repartidor(temporal_env.client, cola, id_)  # a second worker starting: no error
    descripcion = await temporal_env.client.get_workflow_handle(id_).describe()
    assert descripcion.run_id == primera and descripcion.workflow_type == nombres.FLUJO_REPARTIDOR
    await temporal_env.client.get_workflow_handle(id_).terminate("fin de la prueba")
