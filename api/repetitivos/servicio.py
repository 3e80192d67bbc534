"""Every read and write of /api/repetitivos: the template rows in Postgres and their Schedules
(infra/programas.py). Lists and the template come from Postgres; only the next occurrences come from
Temporal (the Schedule computes them).

A write locks the template's row, changes the Schedule, then commits: two writes on one template run
one after the other, and a crash between the two steps leaves the safe side (a Schedule paused or
deleted while the row is not: nothing runs; a Schedule resumed while the row is paused: the occurrence
sees the row and creates nothing), which the client's retry repairs (every write is idempotent)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Select, any_, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from api.comun.deps import UsuarioActual
from api.comun.paginacion import Pagina, ParametrosPagina, paginar
from api.pendientes.esquemas import DETALLE_POR_TIPO
from api.repetitivos.esquemas import ReglaIn, ReglaResponse, RepetitivoCrear, RepetitivoResponse
from contrato import nombres
from db import models as m
from domain.enums import TipoPendiente
from domain.errores import DatosInvalidos, NoEncontrado, SinPermiso
from domain.permisos import Permiso
from domain.repetitivos import PERMISO_TECNICO, PROXIMAS, DiaSemana, Regla, problema_de_regla
from domain.zona import LIMA
from infra.programas import Plantilla, Programas

_tecnico = aliased(m.Empleado)


# -- Validation ---------------------------------------------------------------------------------------


def regla_de(cuerpo: ReglaIn) -> Regla:
    """The rule as the domain checks it; the first problem is a 422 naming `regla.<campo>`."""
    if cuerpo.hora.tzinfo is not None:
        raise DatosInvalidos("la hora va sin zona horaria: es hora de Lima", {"campo": "regla.hora"})
    regla = Regla(
        frecuencia=cuerpo.frecuencia,
        hora=cuerpo.hora,
        fecha_inicio=cuerpo.fecha_inicio,
        cada=cuerpo.cada,
        dias_semana=tuple(sorted({d.indice for d in cuerpo.dias_semana})),
        dias_mes=tuple(sorted(set(cuerpo.dias_mes))),
        fecha_fin=cuerpo.fecha_fin,
    )
    if problema := problema_de_regla(regla, datetime.now(LIMA).date()):
        campo, mensaje = problema
        raise DatosInvalidos(mensaje, {"campo": campo})
    return regla


def detalle_de(tipo: TipoPendiente, detalle: dict[str, Any] | None) -> dict[str, Any]:
    """The type's detail validated as POST /api/pendientes validates it (errors name `detalle.<campo>`),
    in column names. Always stored, even empty, so every occurrence has its detail and can be assigned."""
    try:
        valido = DETALLE_POR_TIPO[tipo].model_validate(detalle or {})
    except ValidationError as error:
        primero = error.errors()[0]
        campo = "detalle." + ".".join(str(p) for p in primero["loc"])
        raise DatosInvalidos(f"dato inválido en '{campo}': {primero['msg']}", {"campo": campo}) from None
    return valido.model_dump(mode="json")


def exigir_permiso_tecnico(usuario: UsuarioActual, tecnico_id: int | None) -> None:
    """A template that names a technician assigns them at every occurrence: that is dispatch's call."""
    if tecnico_id is not None and not usuario.tiene(PERMISO_TECNICO):
        raise SinPermiso(
            f"un repetitivo con técnico requiere el permiso {PERMISO_TECNICO}",
            {"permisos": [PERMISO_TECNICO.value], "campo": "tecnicoId"},
        )


async def _exigir_cliente(session: AsyncSession, cliente_id: int) -> None:
    cliente = await session.get(m.Cliente, cliente_id)
    if cliente is None or not cliente.vigente:
        raise NoEncontrado(f"cliente {cliente_id} no encontrado", {"campo": "clienteId"})


async def _exigir_tecnico(session: AsyncSession, empleado_id: int) -> None:
    """The same rule the assignment applies: an active empleado whose active user executes work."""
    puede_ejecutar = exists().where(
        m.Usuario.empleado_id == m.Empleado.id,
        m.Usuario.vigente.is_(True),
        m.Usuario.rol_id == m.Rol.id,
        Permiso.EJECUTAR_TRABAJO.value == any_(m.Rol.permisos),
    )
    encontrado = await session.scalar(
        select(m.Empleado.id).where(
            m.Empleado.id == empleado_id, m.Empleado.vigente.is_(True), puede_ejecutar
        )
    )
    if encontrado is None:
        mensaje = f"el empleado {empleado_id} no es un técnico activo (EJECUTAR_TRABAJO)"
        raise DatosInvalidos(mensaje, {"campo": "tecnicoId"})


async def _registrador(session: AsyncSession, usuario: UsuarioActual, pedido: int | None) -> int:
    registrador = usuario.empleado_id or pedido
    if registrador is None:
        mensaje = "su usuario no está vinculado a un empleado: indique registradoPorId"
        raise DatosInvalidos(mensaje, {"campo": "registradoPorId"})
    activo = await session.scalar(
        select(m.Empleado.id).where(m.Empleado.id == registrador, m.Empleado.vigente.is_(True))
    )
    if activo is None:
        raise NoEncontrado(f"empleado {registrador} no encontrado", {"campo": "registradoPorId"})
    return registrador


# -- Rows and answers ---------------------------------------------------------------------------------


def regla_de_fila(fila: m.Repetitivo) -> Regla:
    return Regla(
        frecuencia=fila.frecuencia,
        hora=fila.hora,
        fecha_inicio=fila.fecha_inicio,
        cada=fila.cada,
        dias_semana=tuple(fila.dias_semana),
        dias_mes=tuple(fila.dias_mes),
        fecha_fin=fila.fecha_fin,
    )


def plantilla_de(fila: m.Repetitivo) -> Plantilla:
    return Plantilla(fila.id, fila.nombre, regla_de_fila(fila), fila.pausado, fila.nota)


def _nombre(empleado: m.Empleado | None) -> str | None:
    if empleado is None:
        return None
    return " ".join(p for p in (empleado.nombre, empleado.apellido_paterno) if p)


def _consulta() -> Select:
    return (
        select(m.Repetitivo, m.Cliente.nombre, _tecnico)
        .join(m.Cliente, m.Cliente.id == m.Repetitivo.cliente_id)
        .outerjoin(_tecnico, _tecnico.id == m.Repetitivo.tecnico_id)
        .where(m.Repetitivo.vigente.is_(True))
    )


def _respuesta(fila: Any) -> RepetitivoResponse:
    r, cliente, tecnico = fila
    dias = list(DiaSemana)
    detalle = DETALLE_POR_TIPO[r.tipo].model_validate(r.detalle).model_dump(mode="json", by_alias=True)
    return RepetitivoResponse(
        id=r.id,
        nombre=r.nombre,
        tipo=r.tipo,
        cliente_id=r.cliente_id,
        cliente=cliente,
        detalle=detalle,
        prioridad=r.prioridad,
        lugar=r.lugar,
        empresa=r.empresa,
        direccion=r.direccion,
        tecnico_id=r.tecnico_id,
        tecnico=_nombre(tecnico),
        id_empleado_registro=r.registrado_por,
        regla=ReglaResponse(
            frecuencia=r.frecuencia,
            cada=r.cada,
            dias_semana=[dias[d] for d in r.dias_semana],
            dias_mes=list(r.dias_mes),
            hora=r.hora,
            fecha_inicio=r.fecha_inicio,
            fecha_fin=r.fecha_fin,
        ),
        pausado=r.pausado,
        nota=r.nota,
        programa=nombres.programa_repetitivo(r.id),
        fecha_creacion=r.fecha_creacion,
    )


async def _leer(session: AsyncSession, repetitivo_id: int) -> RepetitivoResponse:
    fila = (await session.execute(_consulta().where(m.Repetitivo.id == repetitivo_id))).first()
    if fila is None:
        raise NoEncontrado(f"repetitivo {repetitivo_id} no encontrado", {"id": repetitivo_id})
    return _respuesta(fila)


async def _bloquear(session: AsyncSession, repetitivo_id: int) -> m.Repetitivo:
    fila = await session.get(m.Repetitivo, repetitivo_id, with_for_update=True, populate_existing=True)
    if fila is None or not fila.vigente:
        raise NoEncontrado(f"repetitivo {repetitivo_id} no encontrado", {"id": repetitivo_id})
    return fila


# -- Reads --------------------------------------------------------------------------------------------

ORDEN = {
    "id": m.Repetitivo.id,
    "nombre": m.Repetitivo.nombre,
    "fechaCreacion": m.Repetitivo.fecha_creacion,
    "clienteId": m.Repetitivo.cliente_id,
    "cliente": m.Cliente.nombre,
    "tipo": m.Repetitivo.tipo,
}


async def listar(
    session: AsyncSession,
    pagina: ParametrosPagina,
    cliente_id: int | None,
    tipo: TipoPendiente | None,
    pausado: bool | None,
) -> Pagina[RepetitivoResponse]:
    consulta = _consulta()
    if cliente_id is not None:
        consulta = consulta.where(m.Repetitivo.cliente_id == cliente_id)
    if tipo is not None:
        consulta = consulta.where(m.Repetitivo.tipo == tipo)
    if pausado is not None:
        consulta = consulta.where(m.Repetitivo.pausado.is_(pausado))
    return await paginar(
        session,
        consulta,
        pagina,
        _respuesta,
        ORDEN,
        m.Repetitivo.fecha_creacion.desc(),
        escalar=False,
        desempate=m.Repetitivo.id.desc(),
    )


async def obtener(session: AsyncSession, programas: Programas, repetitivo_id: int) -> RepetitivoResponse:
    respuesta = await _leer(session, repetitivo_id)
    await session.rollback()  # free the connection while Temporal answers
    proximas = await programas.proximas(repetitivo_id, PROXIMAS)
    return respuesta.model_copy(update={"proximas": proximas})


# -- Writes -------------------------------------------------------------------------------------------


async def crear(
    session: AsyncSession, programas: Programas, body: RepetitivoCrear, usuario: UsuarioActual
) -> RepetitivoResponse:
    exigir_permiso_tecnico(usuario, body.tecnico_id)
    regla = regla_de(body.regla)
    detalle = detalle_de(body.tipo, body.detalle)
    await _exigir_cliente(session, body.cliente_id)
    if body.tecnico_id is not None:
        await _exigir_tecnico(session, body.tecnico_id)
    fila = m.Repetitivo(
        nombre=body.nombre,
        tipo=body.tipo,
        cliente_id=body.cliente_id,
        detalle=detalle,
        prioridad=body.prioridad,
        lugar=body.lugar,
        empresa=body.empresa,
        direccion=body.direccion,
        tecnico_id=body.tecnico_id,
        registrado_por=await _registrador(session, usuario, body.registrado_por_id),
        creado_por=usuario.id,
        frecuencia=regla.frecuencia,
        cada=regla.cada,
        dias_semana=list(regla.dias_semana),
        dias_mes=list(regla.dias_mes),
        hora=regla.hora,
        fecha_inicio=regla.fecha_inicio,
        fecha_fin=regla.fecha_fin,
    )
    session.add(fila)
    await session.flush()
    # The row's id names the Schedule; if Temporal refuses, nothing is committed (a 503).
    await programas.crear(plantilla_de(fila))
    await session.commit()
    return await _leer(session, fila.id)


_PLANTILLA = ("nombre", "tipo", "cliente_id", "prioridad", "lugar", "empresa", "direccion", "tecnico_id")
_OBLIGATORIOS = frozenset({"nombre", "tipo", "cliente_id", "prioridad", "lugar", "regla"})


async def editar(
    session: AsyncSession,
    programas: Programas,
    repetitivo_id: int,
    valores: dict[str, Any],
    usuario: UsuarioActual,
) -> RepetitivoResponse:
    """Apply the fields sent; the Schedule follows (its paused state stays)."""
    for campo in _OBLIGATORIOS & {c for c, v in valores.items() if v is None}:
        alias = {"cliente_id": "clienteId"}.get(campo, campo)
        raise DatosInvalidos(f"'{alias}' no puede quedar vacío", {"campo": alias})
    fila = await _bloquear(session, repetitivo_id)
    tecnico = valores.get("tecnico_id", fila.tecnico_id)
    exigir_permiso_tecnico(usuario, tecnico)
    if "regla" in valores:
        regla = regla_de(valores["regla"])
        fila.frecuencia, fila.cada, fila.hora = regla.frecuencia, regla.cada, regla.hora
        fila.dias_semana, fila.dias_mes = list(regla.dias_semana), list(regla.dias_mes)
        fila.fecha_inicio, fila.fecha_fin = regla.fecha_inicio, regla.fecha_fin
    if "detalle" in valores or "tipo" in valores:
        tipo = valores.get("tipo", fila.tipo)
        fila.detalle = detalle_de(tipo, valores.get("detalle", fila.detalle if tipo == fila.tipo else None))
    if valores.get("cliente_id") is not None:
        await _exigir_cliente(session, valores["cliente_id"])
    if valores.get("tecnico_id") is not None:
        await _exigir_tecnico(session, valores["tecnico_id"])
    for campo in _PLANTILLA:
        if campo in valores:
            setattr(fila, campo, valores[campo])
    await session.flush()
    await programas.actualizar(plantilla_de(fila))
    await session.commit()
    return await _leer(session, repetitivo_id)


async def pausar_o_reanudar(
    session: AsyncSession,
    programas: Programas,
    repetitivo_id: int,
    pausar: bool,
    nota: str | None,
    usuario: UsuarioActual,
) -> RepetitivoResponse:
    """Idempotent: pausing a paused template (or resuming an active one) answers the same and brings
    the Schedule in line, which is how a retry after a lost answer repairs a half-done change."""
    fila = await _bloquear(session, repetitivo_id)
    if not pausar:
        exigir_permiso_tecnico(usuario, fila.tecnico_id)
    fila.pausado = pausar
    fila.nota = nota or ("pausado" if pausar else "reanudado") + f" por {usuario.nombre}"
    await session.flush()
    await programas.pausar_o_reanudar(plantilla_de(fila))
    await session.commit()
    return await _leer(session, repetitivo_id)


async def eliminar(session: AsyncSession, programas: Programas, repetitivo_id: int) -> None:
    """The Schedule goes; the row stays, not vigente, so its pendientes keep their link (untouched)."""
    fila = await _bloquear(session, repetitivo_id)
    await programas.borrar(repetitivo_id)
    fila.vigente = False
    await session.commit()
