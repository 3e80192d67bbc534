"""The outbox against a real Postgres: an event exists only if the transaction that wrote it commits;
a pendiente's change has one id whatever retries happen, anything else a fresh one; the pendiente's
view carries its live labels by name and never its PPPoE password."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from sqlalchemy import select

from db import models as m
from db.eventos import registrar_evento, vista_pendiente
from domain.eventos import TipoEvento

ID_EVENTO = re.compile(r"evt_[0-9a-f]{32}")


class Deshecho(Exception):
    pass


@pytest.fixture
async def pendiente_id(sessions, demo) -> int:
    """A live INSTALACION_INTERNET row with its detail (PPPoE configured), written directly."""
    async with sessions.begin() as s:
        cliente = await s.scalar(select(m.Cliente.id).where(m.Cliente.codigo_cliente == "CLI000001"))
        empleado = await s.scalar(select(m.Empleado.id).order_by(m.Empleado.id).limit(1))
        fila = m.Pendiente(
            registrado_por=empleado,
            cliente_id=cliente,
            tipo="INSTALACION_INTERNET",
            lugar="PUNO",
            prioridad="MEDIA",
        )
        s.add(fila)
        await s.flush()
        s.add(
            m.PendienteInstalacionInternet(
                pendiente_id=fila.id,
                velocidad_solicitada="200 Mbps",
                pppoe_usuario="cli_db",
                pppoe_password_cifrado="gAAAA-cifrado-de-prueba",
            )
        )
    return fila.id


async def _existe(sessions, evento_id: str) -> bool:
    async with sessions() as s:
        return await s.scalar(select(m.Evento.numero).where(m.Evento.id == evento_id)) is not None


async def test_un_evento_existe_solo_si_su_transaccion_confirma(sessions, pendiente_id):
    with pytest.raises(Deshecho):
        async with sessions.begin() as s:
            deshecho = await registrar_evento(
                s, TipoEvento.PENDIENTE_EDITADO, {"x": 1}, pendiente_id=pendiente_id, seq=7
            )
            raise Deshecho
    assert not await _existe(sessions, deshecho)

    async with sessions.begin() as s:
        hecho = await registrar_evento(
            s, TipoEvento.PENDIENTE_EDITADO, {"x": 1}, pendiente_id=pendiente_id, seq=7
        )
    assert await _existe(sessions, hecho)
    # The same change (pendiente, seq) keeps its id across the failed and the committed attempt.
    assert hecho == deshecho and ID_EVENTO.fullmatch(hecho)
    async with sessions() as s:
        fila = await s.scalar(select(m.Evento).where(m.Evento.id == hecho))
    assert (fila.tipo, fila.seq, fila.datos, fila.despachado_en) == ("pendiente.editado", 7, {"x": 1}, None)
    assert fila.fecha is not None


async def test_solo_los_cambios_del_pendiente_tienen_id_derivado(sessions, pendiente_id):
    async with sessions.begin() as s:
        a = await registrar_evento(s, TipoEvento.PAGO_REGISTRADO, {}, pendiente_id=pendiente_id, seq=3)
        b = await registrar_evento(s, TipoEvento.PAGO_REGISTRADO, {}, pendiente_id=pendiente_id, seq=3)
        c = await registrar_evento(s, TipoEvento.CLIENTE_CREADO, {}, cliente_id=1)
        d = await registrar_evento(s, TipoEvento.PENDIENTE_VENCIDO, {}, pendiente_id=pendiente_id, seq=3)
        propio = f"evt_{uuid.uuid4().hex}"
        e = await registrar_evento(s, TipoEvento.NOTA_CREADA, {}, evento_id=propio)
    assert len({a, b, c, d}) == 4
    assert all(ID_EVENTO.fullmatch(x) for x in (a, b, c, d))
    assert e == propio


async def test_la_vista_lleva_sus_etiquetas_vigentes_y_ninguna_clave(sessions, pendiente_id):
    sufijo = uuid.uuid4().hex[:6]
    async with sessions.begin() as s:
        zeta, alfa, borrada = (m.Etiqueta(nombre=f"{n} {sufijo}") for n in ("zeta", "Alfa", "borrada"))
        borrada.vigente = False
        s.add_all([zeta, alfa, borrada])
        await s.flush()
        s.add_all(
            m.PendienteEtiqueta(pendiente_id=pendiente_id, etiqueta_id=e.id) for e in (zeta, alfa, borrada)
        )

    async with sessions() as s:
        vista = await vista_pendiente(s, pendiente_id)
        ninguna = await vista_pendiente(s, 2**62)

    assert ninguna is None
    assert json.loads(json.dumps(vista)) == vista  # plain JSON values: no dates, decimals, enums
    assert vista["etiquetas"] == [
        {"id": alfa.id, "nombre": f"Alfa {sufijo}"},
        {"id": zeta.id, "nombre": f"zeta {sufijo}"},
    ]
    assert vista["detalle"]["ppoe"] == "cli_db" and vista["detalle"]["velocidadSolicitada"] == "200 Mbps"
    assert "cifrado-de-prueba" not in repr(vista)
    assert vista["eliminado"] is False and vista["version"] == 0 and vista["asignadoA"] is None
