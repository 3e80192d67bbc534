"""The tracking link: issue, find, revoke, and read what the customer may see, live from Postgres.

The token is 32 random bytes (`secrets.token_urlsafe`): unguessable, so the link needs no login. Only its
sha256 finds the row; every way a link can fail (unknown, revoked, expired, pendiente deleted) is the
same 404, so a caller learns nothing by probing."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from api.seguimiento_cliente.esquemas import EnlaceResponse, SeguimientoResponse
from db import models as m
from domain.errores import NoEncontrado
from domain.seguimiento_cliente import (
    ACCIONES_DE_CIERRE,
    CERRADOS,
    ESTADO_PARA_CLIENTE,
    TIPO_PARA_CLIENTE,
    primer_nombre,
)
from domain.zona import LIMA
from infra.config import Settings
from infra.seguridad import Cifrador

NO_ENCONTRADO = "enlace de seguimiento no válido o vencido"


def huella(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def url_de(settings: Settings, token: str) -> str:
    return f"{settings.url_publica.rstrip('/')}/seguimiento/{token}"


async def _cierre(session: AsyncSession, pendiente: m.Pendiente) -> datetime | None:
    """When the pendiente closed (its latest finalizar/cancelar), or None while it is open."""
    if pendiente.estado not in CERRADOS:
        return None
    cerrado = await session.scalar(
        select(func.max(m.Historial.fecha_creacion)).where(
            m.Historial.pendiente_id == pendiente.id, m.Historial.accion.in_(ACCIONES_DE_CIERRE)
        )
    )
    # A closed pendiente without its closing row (data loaded by hand): its last change closed it.
    return cerrado or pendiente.fecha_modificacion or pendiente.fecha_creacion


async def expira(session: AsyncSession, settings: Settings, pendiente: m.Pendiente) -> datetime | None:
    cierre = await _cierre(session, pendiente)
    if cierre is None:
        return None
    return cierre + timedelta(hours=settings.seguimiento_cliente_horas_tras_cierre)


async def _vivo(session: AsyncSession, pendiente_id: int) -> m.EnlaceSeguimiento | None:
    return await session.scalar(
        select(m.EnlaceSeguimiento)
        .where(m.EnlaceSeguimiento.pendiente_id == pendiente_id, m.EnlaceSeguimiento.revocado_en.is_(None))
        .order_by(m.EnlaceSeguimiento.id.desc())
        .limit(1)
    )


async def obtener_o_crear(
    session: AsyncSession,
    settings: Settings,
    cifrador: Cifrador,
    pendiente: m.Pendiente,
    usuario_id: int,
) -> EnlaceResponse:
    """The live link of the pendiente (the same one every time), or a new one if none lives. A link whose
    pendiente closed long ago is still the live one: dispatch sees its `expira` in the past."""
    enlace = await _vivo(session, pendiente.id)
    token = cifrador.descifrar(enlace.token_cifrado) if enlace else None
    if token is None:
        # No link yet, or one encrypted under a key since rotated away: a fresh one replaces it.
        if enlace is not None:
            enlace.revocado_en = datetime.now(UTC)
        token = secrets.token_urlsafe(32)
        session.add(
            m.EnlaceSeguimiento(
                pendiente_id=pendiente.id,
                token_hash=huella(token),
                token_cifrado=cifrador.cifrar(token),
                creado_por=usuario_id,
            )
        )
        await session.commit()
    return EnlaceResponse(url=url_de(settings, token), expira=await expira(session, settings, pendiente))


async def revocar(session: AsyncSession, pendiente_id: int) -> bool:
    """Revokes the live link(s); the next GET issues a new one. False: there was none."""
    enlaces = (
        await session.scalars(
            select(m.EnlaceSeguimiento).where(
                m.EnlaceSeguimiento.pendiente_id == pendiente_id, m.EnlaceSeguimiento.revocado_en.is_(None)
            )
        )
    ).all()
    for enlace in enlaces:
        enlace.revocado_en = datetime.now(UTC)
    await session.commit()
    return bool(enlaces)


async def leer(session: AsyncSession, settings: Settings, token: str) -> SeguimientoResponse:
    """What the customer sees for `token`, read now; 404 (always the same) when the link does not answer."""
    enlace = await session.scalar(
        select(m.EnlaceSeguimiento).where(
            m.EnlaceSeguimiento.token_hash == huella(token), m.EnlaceSeguimiento.revocado_en.is_(None)
        )
    )
    pendiente = await session.get(m.Pendiente, enlace.pendiente_id) if enlace else None
    if pendiente is None or not pendiente.vigente:
        raise NoEncontrado(NO_ENCONTRADO)
    vence = await expira(session, settings, pendiente)
    if vence is not None and vence <= datetime.now(UTC):
        raise NoEncontrado(NO_ENCONTRADO)
    tecnico = None
    if pendiente.asignado_a is not None:
        nombre = await session.scalar(select(m.Empleado.nombre).where(m.Empleado.id == pendiente.asignado_a))
        tecnico = primer_nombre(nombre)
    ultimo = await session.scalar(
        select(func.max(m.Historial.fecha_creacion)).where(m.Historial.pendiente_id == pendiente.id)
    )
    # The last step of the work (every action writes a historial row), not edits of fields the customer
    # never sees.
    actualizado = ultimo or pendiente.fecha_creacion
    programada = pendiente.fecha_pendiente.astimezone(LIMA).date() if pendiente.fecha_pendiente else None
    return SeguimientoResponse(
        tipo=TIPO_PARA_CLIENTE[pendiente.tipo],
        estado=ESTADO_PARA_CLIENTE[pendiente.estado],
        fecha_programada=programada,
        tecnico=tecnico,
        actualizado=actualizado,
    )


# The public pages' counter of requests per client address, in the counters table of the login limits
# (db/models/identidad.IntentoLogin), so every API process counts against the same limit.
AMBITO_PUBLICO = "publico"


async def contar_visita(session: AsyncSession, direccion: str, por_minuto: int) -> int:
    """Count one request of `direccion` in the current minute: the seconds until it may ask again when
    it is over `por_minuto` (the request is refused), else 0. One atomic upsert per request."""
    t = m.IntentoLogin
    ahora = datetime.now(UTC)
    minuto = ahora.replace(second=0, microsecond=0)
    cuenta = await session.scalar(
        insert(t)
        .values(ambito=AMBITO_PUBLICO, clave=direccion[:100], fallos=1, ultimo=ahora)
        .on_conflict_do_update(
            index_elements=[t.ambito, t.clave],
            set_={"fallos": case((t.ultimo >= minuto, t.fallos + 1), else_=1), "ultimo": ahora},
        )
        .returning(t.fallos)
    )
    if cuenta == 1:
        # A new minute for this address: forget the addresses quiet for a while.
        olvidar = delete(t).where(t.ambito == AMBITO_PUBLICO, t.ultimo < ahora - timedelta(minutes=5))
        await session.execute(olvidar)
    await session.commit()
    if cuenta <= por_minuto:
        return 0
    return max(1, 60 - ahora.second)
