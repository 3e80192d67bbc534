"""Sending one lifecycle action to a pendiente's workflow: shared by the JSON API's action routes and
the board's forms, so both check, key and answer a change the same way."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from api.comun.deps import UsuarioActual
from api.comun.http import version_esperada
from api.comun.visibilidad import exigir_pendiente_visible, pendiente_visible
from api.pendientes.comandos import Comandos
from api.pendientes.esquemas import AccionesResponse, AccionRequest, PendienteResponse
from api.pendientes.servicio import estado_actual, leer_pendiente
from contrato.mensajes import EstadoVivo, OrdenAccion, huella_orden
from domain.acciones import Accion, acciones_permitidas
from domain.errores import SinPermiso
from infra.seguridad import Cifrador


@dataclass(frozen=True)
class Aplicada:
    """An accepted action: the pendiente as the caller may see it now (None if no longer theirs)."""

    vivo: EstadoVivo
    pendiente: PendienteResponse | None


async def acciones_de(session: AsyncSession, pendiente_id: int, usuario: UsuarioActual) -> AccionesResponse:
    """The actions this user may take now on this pendiente (`GET /{id}/acciones`, the board's buttons)."""
    fila = await pendiente_visible(session, pendiente_id, usuario)
    vivo = await estado_actual(session, fila)
    permitidas = acciones_permitidas(vivo.situacion(), usuario.actor().a_dominio())
    return AccionesResponse(
        id=pendiente_id,
        estado=vivo.estado,
        estado_tecnico=vivo.estado_tecnico,
        version=vivo.seq,
        acciones=permitidas,
    )


async def accionar(
    pendiente_id: int,
    accion: Accion,
    cuerpo: AccionRequest | None,
    usuario: UsuarioActual,
    session: AsyncSession,
    comandos: Comandos,
    cifrador: Cifrador,
    clave: str | None = None,
    if_match: str | None = None,
    *,
    etiquetas: list[int] | None = None,
) -> Aplicada:
    """Send one action to the pendiente's workflow; the pendiente as it is now.
    `etiquetas` (the peer's cancel) replace the labels in the same change."""
    cuerpo = cuerpo or AccionRequest()
    password = cuerpo.pppoe_password.get_secret_value() if cuerpo.pppoe_password else None
    orden = OrdenAccion(
        actor=usuario.actor(),
        tecnico_id=cuerpo.tecnico_id,
        motivo=cuerpo.motivo,
        nueva_fecha=cuerpo.nueva_fecha,
        vlan=cuerpo.vlan,
        pppoe_usuario=cuerpo.pppoe_usuario,
        pppoe_password_cifrado=cifrador.cifrar(password) if password else None,
        # Keys are per user: two users can never collide on the same key. Without one the change gets
        # its own now, so that whatever fails from here on the answer can say how to learn the outcome.
        clave=f"{usuario.id}:{clave or comandos.clave_automatica()}",
        version=version_esperada(if_match, cuerpo.version),
        etiquetas=etiquetas,
    )
    try:
        await exigir_pendiente_visible(session, pendiente_id, usuario)
    except SinPermiso:
        # A retry of a change this user already made is answered like the first time, even if the
        # change took the pendiente out of their sight (a technician who released it). Looked up only
        # on refusal, so the usual path pays nothing for it.
        repetida = clave and await comandos.ya_comprometido(
            pendiente_id, orden.clave, huella_orden(accion.value, orden)
        )
        if not repetida:
            raise
    # Give the connection back while the workflow works: a slow update must not starve the pool.
    await session.rollback()
    try:
        vivo = await comandos.ejecutar(pendiente_id, accion, orden)
        session.expire_all()
        pendiente = await _leer_si_visible(session, pendiente_id, usuario)
    except (OperationalError, InterfaceError):
        # Postgres went away mid-way: the change may be written, so answer as for a timeout.
        raise comandos.sin_respuesta(pendiente_id, orden.clave) from None
    return Aplicada(vivo, pendiente)


async def _leer_si_visible(session, pendiente_id: int, usuario: UsuarioActual):
    """The pendiente after an applied action, or None if the caller may no longer see it. Only this read's
    SinPermiso means that: the workflow's own (a refused action) stays a 403."""
    try:
        return await leer_pendiente(session, pendiente_id, usuario)
    except SinPermiso:
        return None
