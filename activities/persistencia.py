"""Persistence of a pendiente's lifecycle: the row, its detail and its historial, written together."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

from pydantic.alias_generators import to_camel
from sqlalchemy import any_, bindparam, delete, exists, func, literal_column, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, ProgrammingError, StatementError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from contrato import nombres
from contrato.mensajes import (
    ActorMsg,
    Cambio,
    DatosPendiente,
    EstadoVivo,
    InicioPendiente,
    OrigenCambio,
    ResultadoCambio,
)
from db import models as m
from db.eventos import ANUNCIO, evento_de_pendiente, registrar_de_pendiente, vista_de_fila
from db.eventos import actor as actor_evento
from db.identidad import clave_de_firma
from db.lectura import DETALLES, UN_PENDIENTE, columnas_sla, detalle_de, hechos_vivos
from db.notificaciones import con_permiso, notificar, usuarios_activos
from domain.acciones import Accion, efecto_de
from domain.avisos import AVISOS, TECNICO, Aviso
from domain.edicion import CAMPOS_DETALLE, CAMPOS_EDITABLES
from domain.enums import EstadoPendiente, TipoPendiente
from domain.errores import TipoError, dato_invalido
from domain.eventos import POR_ACCION, evento_de_cambio
from domain.permisos import Permiso
from infra.seguridad import firma_valida

MENSAJE_VALOR = "un valor enviado no se puede guardar (caracteres o rango no válidos)"
MENSAJE_CONFLICTO = "el cambio hace referencia a datos que no existen o choca con datos existentes"
MENSAJE_INTERNO = "error interno al guardar el cambio"
MENSAJE_NO_DISPONIBLE = "la base de datos no está disponible"


def estado_vivo(fila: m.Pendiente, detalle: m.Base | None) -> EstadoVivo:
    """The lifecycle facts as the workflow keeps them, rebuilt from the row and its detail."""
    return EstadoVivo(**hechos_vivos(fila, detalle))


def _rechazo(mensaje: str, tipo: TipoError = TipoError.DATOS_INVALIDOS) -> ApplicationError:
    return ApplicationError(mensaje, type=tipo, non_retryable=True)


def _campo(error: DBAPIError) -> dict[str, str] | None:
    """The API name of the column Postgres names (`cliente_id` -> clienteId), when it names one."""
    diag = getattr(error.orig, "diag", None)
    columna = getattr(diag, "column_name", None)
    restriccion, tabla = getattr(diag, "constraint_name", None), getattr(diag, "table_name", None)
    if not columna and restriccion and tabla and restriccion.endswith("_fkey"):
        columna = restriccion.removeprefix(f"{tabla}_").removesuffix("_fkey")
    return {"campo": to_camel(columna)} if columna else None


@contextmanager
def sin_internos() -> Iterator[None]:
    """A database error leaves the activity as a fixed message (and the field when Postgres names it):
    never str() of the exception, which carries the SQL and its bound parameters (the PPPoE user, the
    ciphertext) into the answer and, through the failure, into the workflow history."""
    try:
        yield
    except (IntegrityError, DataError) as error:
        activity.logger.warning("value refused by the database: %s", type(error.orig).__name__)
        mensaje = MENSAJE_CONFLICTO if isinstance(error, IntegrityError) else MENSAJE_VALOR
        detalles = [d] if (d := _campo(error)) else []
        raise ApplicationError(
            mensaje, *detalles, type=TipoError.DATOS_INVALIDOS, non_retryable=True
        ) from None
    except UnicodeError as error:
        activity.logger.warning("text not encodable for the database: %s", type(error).__name__)
        raise ApplicationError(MENSAJE_VALOR, type=TipoError.DATOS_INVALIDOS, non_retryable=True) from None
    except ProgrammingError:
        activity.logger.error("database statement refused (a bug): see the statement in the code")
        raise ApplicationError(MENSAJE_INTERNO, type=TipoError.ERROR_INTERNO, non_retryable=True) from None
    except DBAPIError as error:
        # Connection lost, server restarting...: retried, but without the statement in the failure.
        activity.logger.warning("database unavailable: %s", type(error.orig).__name__)
        raise ApplicationError(MENSAJE_NO_DISPONIBLE, type=TipoError.BD_NO_DISPONIBLE) from None
    except StatementError as error:
        # Raised before anything reached Postgres (a bind parameter missing, a value its type cannot
        # bind): a bug like a refused statement, not an outage; retrying would hold the workflow forever.
        activity.logger.error("statement not sent (a bug): %s", type(error.orig).__name__)
        raise ApplicationError(MENSAJE_INTERNO, type=TipoError.ERROR_INTERNO, non_retryable=True) from None


def _cabecera_editada(cambio: Cambio) -> dict[str, object]:
    """Header columns this change edits (whitelisted again: the database trusts only the domain list)."""
    valores: dict[str, object] = {}
    if cambio.edicion is not None:
        valores = {c: v for c, v in cambio.edicion.valores().items() if c in CAMPOS_EDITABLES}
    if cambio.eliminar:
        valores["vigente"] = False
    return valores


async def registro_comprometido(
    s: AsyncSession, fila: m.Pendiente, desde_seq: int | None = None, aplicado: bool = False
) -> ResultadoCambio:
    """The pendiente as Postgres committed it, in the workflow's terms (what a workflow adopts), with
    the keys of the changes committed after `desde_seq`."""
    vivo = estado_vivo(fila, await detalle_de(s, fila))
    if fila.estado == EstadoPendiente.CANCELADO:
        # The archive timer counts from the cancellation the record holds.
        cancelado_en = await s.scalar(
            select(func.max(m.Historial.fecha_creacion)).where(
                m.Historial.pendiente_id == fila.id, m.Historial.accion == Accion.CANCELAR.value
            )
        )
        vivo = vivo.model_copy(update={"cancelado_en": cancelado_en})
    etiquetas = await _etiquetas_de(s, fila.id)
    vivo = vivo.model_copy(update={"etiquetas": sorted(etiquetas)})
    claves: list[str] = []
    if desde_seq is not None:
        claves = list(
            await s.scalars(
                select(m.Historial.cambio_id).where(
                    m.Historial.pendiente_id == fila.id,
                    m.Historial.seq > desde_seq,
                    m.Historial.cambio_id.is_not(None),
                )
            )
        )
    datos = DatosPendiente(
        cliente_id=fila.cliente_id,
        registrado_por=fila.registrado_por,
        tipo=fila.tipo,
        lugar=fila.lugar,
        prioridad=fila.prioridad,
        empresa=fila.empresa,
        direccion=fila.direccion,
        fecha_pendiente=fila.fecha_pendiente,
    )
    return ResultadoCambio(
        aplicado=aplicado,
        vivo=vivo,
        datos=datos,
        eliminado=not fila.vigente,
        claves=claves,
        nombres_etiquetas=sorted(etiquetas.values()),
    )


async def _etiquetas_de(s: AsyncSession, pendiente_id: int) -> dict[int, str]:
    """The labels a pendiente carries (id -> name), deleted ones included: the peer's weak references
    stay on the pendiente until a change replaces them; the API shows only live ones."""
    filas = await s.execute(
        select(m.Etiqueta.id, m.Etiqueta.nombre)
        .join(m.PendienteEtiqueta, m.PendienteEtiqueta.etiqueta_id == m.Etiqueta.id)
        .where(m.PendienteEtiqueta.pendiente_id == pendiente_id)
    )
    return dict(filas.all())


# The statements on every change's path, built once (building them is a good part of their cost).
_PENDIENTES = m.Pendiente.__table__
_LEER = select(_PENDIENTES).where(_PENDIENTES.c.id == bindparam("pendiente_id"))
# The row locked with its view (names, detail, labels): a change that touches only the row builds its
# event from it instead of reading the view again.
_BLOQUEAR = UN_PENDIENTE.with_for_update(of=_PENDIENTES)
_HUELLA_DE_CAMBIO = select(m.Historial.__table__.c.huella).where(
    m.Historial.__table__.c.pendiente_id == bindparam("pendiente_id"),
    m.Historial.__table__.c.cambio_id == bindparam("cambio_id"),
)
_INSERTAR_HISTORIAL = insert(m.Historial.__table__)
# The unique (pendiente, key) of historial: a change's key already used at an older seq.
CLAVE_DE_CAMBIO = "uq_historiales_pendiente_id_cambio_id"


# A change that writes only the row's lifecycle columns, one session opened or closed, its historial row
# and its event: all of it in one statement (data-modifying CTEs), built once per shape.
_COLUMNAS_DE_ESTADO = (
    "estado",
    "estado_tecnico",
    "asignado_a",
    "fecha_pendiente",
    "vencido",
    "seq",
    "sla_plazo_seg",
    "sla_consumido_seg",
    "sla_desde",
    "sla_nivel",
    "sla_vence",
    "estado_sla",
)
_HISTORIALES, _TIEMPOS, _EVENTOS = m.Historial.__table__, m.PendienteTiempo.__table__, m.Evento.__table__
_COLUMNAS_HISTORIAL = (
    "empleado_id",
    "actor_nombre",
    "accion",
    "estado_anterior",
    "estado",
    "estado_tecnico_anterior",
    "estado_tecnico",
    "detalles",
    "seq",
    "cambio_id",
    "huella",
)


def _sin_duplicar_sesion(insercion: Any) -> Any:
    # Must match the partial unique index's predicate text for Postgres to infer it.
    return insercion.on_conflict_do_nothing(
        index_elements=["pendiente_id", "empleado_id"], index_where=text("hora_fin IS NULL AND vigente")
    )


_CERRAR_SESION = (
    update(_TIEMPOS)
    .where(_TIEMPOS.c.hora_fin.is_(None), _TIEMPOS.c.vigente.is_(True))
    .values(hora_fin=func.now())
)


def _parametros(prefijo: str, tabla: Any, columnas: Iterable[str]) -> dict[str, Any]:
    return {c: bindparam(f"{prefijo}_{c}", type_=tabla.c[c].type) for c in columnas}


def _sentencia_de_una_vez(sesion: str | None, con_evento: bool) -> Any:
    """UPDATE pendientes + the session's INSERT or UPDATE + INSERT historiales (+ INSERT eventos with
    its NOTIFY): one round trip, all or nothing like the transaction around it."""
    # Not named after a column: an UPDATE takes any parameter that is named like one of its columns as
    # a value to SET.
    pendiente = bindparam("cambio_pendiente", type_=_PENDIENTES.c.id.type)
    partes = [
        update(_PENDIENTES)
        .where(_PENDIENTES.c.id == pendiente)
        .values(**_parametros("p", _PENDIENTES, _COLUMNAS_DE_ESTADO))
        .cte("fila"),
        insert(_HISTORIALES)
        .values(pendiente_id=pendiente, **_parametros("h", _HISTORIALES, _COLUMNAS_HISTORIAL))
        .cte("historial"),
    ]
    if sesion == "abrir":
        abrir = insert(_TIEMPOS).values(
            pendiente_id=pendiente,
            empleado_id=bindparam("t_empleado_id", type_=_TIEMPOS.c.empleado_id.type),
            hora_inicio=func.now(),
            descripcion=bindparam("t_descripcion", type_=_TIEMPOS.c.descripcion.type),
        )
        partes.append(_sin_duplicar_sesion(abrir).cte("sesion"))
    elif sesion == "cerrar":
        partes.append(_CERRAR_SESION.where(_TIEMPOS.c.pendiente_id == pendiente).cte("sesion"))
    if con_evento:
        principal = insert(_EVENTOS).values(**_parametros("e", _EVENTOS, _COLUMNAS_EVENTO)).returning(ANUNCIO)
    else:
        principal = select(literal_column("1"))
    for parte in partes:
        principal = principal.add_cte(parte)
    return principal


_COLUMNAS_EVENTO = ("id", "tipo", "pendiente_id", "cliente_id", "seq", "datos")
_SENTENCIAS_DE_UNA_VEZ = {
    (sesion, evento): _sentencia_de_una_vez(sesion, evento)
    for sesion in (None, "abrir", "cerrar")
    for evento in (False, True)
}


def _restriccion(error: IntegrityError) -> str | None:
    return getattr(getattr(error.orig, "diag", None), "constraint_name", None)


class PersistenciaActivities:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._clave_firma: bytes | None = None

    async def _verificar_actor(
        self, pendiente_id: int, cambio_id: str, actor: ActorMsg, firma: str | None
    ) -> None:
        """An update's payload names its actor; only the API's signature makes that true. Whoever reaches
        the Temporal frontend directly cannot act, nor be recorded, under someone else's name."""
        if self._clave_firma is None:
            async with self._sessions() as s:
                self._clave_firma = await clave_de_firma(s)
        if not firma_valida(self._clave_firma, firma, pendiente_id, cambio_id, actor.canonico()):
            raise _rechazo(
                "el actor de la petición no está firmado por la API: no se aplica", TipoError.SIN_PERMISO
            )

    @activity.defn(name=nombres.REGISTRAR_PENDIENTE)
    async def registrar_pendiente(self, inicio: InicioPendiente) -> EstadoVivo:
        """Insert the row, its detail and the 'crear' historial entry; a retry finds them and returns."""
        with sin_internos():
            await self._verificar_actor(inicio.pendiente_id, "crear", inicio.actor, inicio.firma)
            return await self._registrar(inicio)

    async def _registrar(self, inicio: InicioPendiente) -> EstadoVivo:
        """One statement writes the row, its detail and the 'crear' historial entry (the last two only
        if the row is new), then the event; a retry that finds the row committed reads it instead."""
        datos = inicio.datos
        fila_valores = {
            "id": inicio.pendiente_id,
            "cliente_id": datos.cliente_id,
            "registrado_por": datos.registrado_por,
            "tipo": datos.tipo,
            "lugar": datos.lugar,
            "prioridad": datos.prioridad,
            "empresa": datos.empresa,
            "direccion": datos.direccion,
            "fecha_pendiente": datos.fecha_pendiente,
            "repetitivo_id": datos.repetitivo_id,
            **columnas_sla(inicio.sla, EstadoPendiente.REGISTRADO),
        }
        detalle = datos.detalle
        sentencia = self._alta(datos.tipo, tuple(fila_valores), None if detalle is None else tuple(detalle))
        parametros = {f"p_{c}": v for c, v in fila_valores.items()}
        parametros |= {f"d_{c}": v for c, v in (detalle or {}).items()}
        historial = {"empleado_id": inicio.actor.empleado_id, "actor_nombre": inicio.actor.nombre}
        parametros |= {f"h_{c}": v for c, v in (historial | self._HISTORIAL_CREAR).items()}
        async with self._sessions.begin() as s:
            fila = (await s.execute(sentencia, parametros)).first()
            if fila is None:
                return await self._leer(s, inicio.pendiente_id)
            # Only with the insert: a retry that finds the row committed wrote its event then.
            await _evento(s, "crear", inicio.pendiente_id, inicio.actor)
        # The row as inserted and the detail as written (no column of a detail has a default).
        escrito = None if detalle is None else DETALLES[datos.tipo](**detalle)
        return estado_vivo(fila, escrito)

    # The fixed values of a creation's historial entry.
    _HISTORIAL_CREAR: dict[str, object] = {
        "accion": "crear",
        "estado": "REGISTRADO",
        "estado_tecnico": "OK",
        "detalles": "pendiente registrado",
        "seq": 0,
    }
    # `_alta`'s statements by (type, row columns, detail columns): built once each.
    _ALTAS: dict[tuple[str, tuple[str, ...], tuple[str, ...] | None], Any] = {}

    @classmethod
    def _alta(cls, tipo: str, columnas: tuple[str, ...], detalle: tuple[str, ...] | None) -> Any:
        """INSERT the row (nothing on a conflicting id) RETURNING it, and in the same statement, through
        data-modifying CTEs fed by that RETURNING, the type detail and the 'crear' historial entry: all
        three or none, in one round trip. Parameters: `p_<column>` (row), `d_<column>` (detail),
        `h_<column>` (historial)."""
        clave = (tipo, columnas, detalle)
        if (sentencia := cls._ALTAS.get(clave)) is not None:
            return sentencia
        p, h = _PENDIENTES, m.Historial.__table__
        fila = (
            insert(p)
            .values({c: bindparam(f"p_{c}", type_=p.c[c].type) for c in columnas})
            .on_conflict_do_nothing(index_elements=["id"])
            .returning(*p.c)
            .cte("fila")
        )
        columnas_h = ["empleado_id", "actor_nombre", *cls._HISTORIAL_CREAR]
        valores_h = [bindparam(f"h_{c}", type_=h.c[c].type) for c in columnas_h]
        ctes = [insert(h).from_select(["pendiente_id", *columnas_h], select(fila.c.id, *valores_h)).cte("h")]
        if detalle is not None:
            d = DETALLES[TipoPendiente(tipo)].__table__
            valores_d = [bindparam(f"d_{c}", type_=d.c[c].type) for c in detalle]
            detalle_d = insert(d).from_select(["pendiente_id", *detalle], select(fila.c.id, *valores_d))
            ctes.append(detalle_d.cte("d"))
        sentencia = cls._ALTAS[clave] = select(fila).add_cte(*ctes)
        return sentencia

    @activity.defn(name=nombres.APLICAR_CAMBIO)
    async def aplicar_cambio(self, cambio: Cambio) -> ResultadoCambio:
        """Apply one accepted change with its historial row, unless the committed record says otherwise:
        the same change already committed (a retry) or another change holding its seq (Postgres ahead
        of the workflow). Then nothing is written and the committed record is returned to adopt."""
        # Bad references or values can never succeed on retry: refused instead of retried forever.
        with sin_internos():
            return await self._aplicar(cambio)

    @activity.defn(name=nombres.LEER_COMPROMETIDO)
    async def leer_comprometido(self, pendiente_id: int) -> ResultadoCambio:
        """The committed record of a pendiente, for a workflow that must catch up with it."""
        with sin_internos():
            async with self._sessions() as s:
                fila = await s.get(m.Pendiente, pendiente_id)
                if fila is None:
                    raise _rechazo(f"el pendiente {pendiente_id} no existe", TipoError.NO_ENCONTRADO)
                return await registro_comprometido(s, fila, desde_seq=None, aplicado=False)

    async def _aplicar(self, cambio: Cambio) -> ResultadoCambio:
        if cambio.origen is OrigenCambio.UPDATE:
            await self._verificar_actor(cambio.pendiente_id, cambio.cambio_id, cambio.actor, cambio.firma)
        try:
            return await self._aplicar_en_transaccion(cambio, buscar_clave=False)
        except IntegrityError as error:
            if _restriccion(error) != CLAVE_DE_CAMBIO:
                raise
            # The key was used before at an older seq (the workflow no longer remembers it): look
            # it up to answer as the first time, or refuse a reuse for another request.
            return await self._aplicar_en_transaccion(cambio, buscar_clave=True)

    async def _aplicar_en_transaccion(self, cambio: Cambio, buscar_clave: bool) -> ResultadoCambio:
        async with self._sessions.begin() as s:
            fila = (await s.execute(_BLOQUEAR, {"pendiente_id": cambio.pendiente_id})).first()
            if fila is None:
                raise _rechazo(f"el pendiente {cambio.pendiente_id} no existe", TipoError.NO_ENCONTRADO)
            # Every committed change moves seq: at the seq this change expects, it cannot be committed
            # yet, so its key is looked up only when the record moved on (or the key turned up).
            if cambio.cambio_id is not None and (buscar_clave or fila.seq != cambio.antes.seq):
                previo = await s.scalar(
                    _HUELLA_DE_CAMBIO, {"pendiente_id": cambio.pendiente_id, "cambio_id": cambio.cambio_id}
                )
                if previo is not None:
                    if previo != cambio.huella:
                        raise _rechazo(
                            "la clave Idempotency-Key ya se usó para otra petición",
                            TipoError.CLAVE_REUTILIZADA,
                        )
                    # This very change was committed by an earlier attempt whose answer was lost.
                    return await registro_comprometido(s, fila, cambio.antes.seq, aplicado=True)
            if fila.seq != cambio.antes.seq or not fila.vigente:
                # Another change holds this seq: never skip it as if it were ours.
                return await registro_comprometido(s, fila, cambio.antes.seq, aplicado=False)
            return await self._escribir(s, fila, cambio)

    async def _escribir(self, s: AsyncSession, fila: Any, cambio: Cambio) -> ResultadoCambio:
        """The change, its historial row, its notices and its event, in the caller's transaction."""
        if _solo_de_estado(fila, cambio):
            return await self._escribir_de_una_vez(s, fila, cambio)
        detalles = cambio.detalles
        if efecto_de(cambio.accion).tecnico == "asignar":
            detalles = await self._verificar_tecnico(s, cambio.despues.asignado_a)
        await self._guardar_detalle(s, fila.tipo, cambio)
        red = await self._guardar_red(s, fila.tipo, cambio)
        etiquetado, nombres_etiquetas = await self._guardar_etiquetas(s, cambio)
        detalles = " · ".join(p for p in (detalles, red, etiquetado) if p) or None
        await s.execute(
            update(_PENDIENTES)
            .where(_PENDIENTES.c.id == cambio.pendiente_id)
            .values(_columnas_de_estado(cambio) | _cabecera_editada(cambio))
        )
        await self._registrar_tiempos(s, cambio)
        await self._notificar(s, fila, cambio, detalles)
        await s.execute(
            _INSERTAR_HISTORIAL, {"pendiente_id": cambio.pendiente_id} | self._historial(cambio, detalles)
        )
        # After every early return above (a retry of a committed change writes nothing): the event
        # commits with the change and its historial row, once per seq.
        motivo = cambio.detalles if cambio.accion in POR_ACCION else None
        await _evento(s, cambio.accion, cambio.pendiente_id, cambio.actor, motivo, detalles)
        return ResultadoCambio(aplicado=True, nombres_etiquetas=nombres_etiquetas)

    async def _escribir_de_una_vez(self, s: AsyncSession, fila: Any, cambio: Cambio) -> ResultadoCambio:
        """`_escribir` of a change that touches only the row's lifecycle columns: the same rows, with the
        event's view built from the locked row and the new values instead of read again."""
        await self._notificar(s, fila, cambio, cambio.detalles)
        despues = cambio.despues
        columnas = _columnas_de_estado(cambio)
        parametros = {"cambio_pendiente": cambio.pendiente_id} | {f"p_{c}": v for c, v in columnas.items()}
        parametros |= {f"h_{c}": v for c, v in self._historial(cambio, cambio.detalles).items()}
        sesion = efecto_de(cambio.accion).sesion
        if sesion == "abrir":
            if despues.asignado_a is None:
                sesion = None
            else:
                parametros |= {
                    "t_empleado_id": despues.asignado_a,
                    "t_descripcion": f"sesión abierta al {cambio.accion}",
                }
        tipo = evento_de_cambio(cambio.accion)
        if tipo is not None:
            vista = vista_de_fila(SimpleNamespace(**(fila._asdict() | columnas)))
            motivo = cambio.detalles if cambio.accion in POR_ACCION else None
            quien = actor_evento(cambio.actor.usuario_id, cambio.actor.empleado_id, cambio.actor.nombre)
            evento = evento_de_pendiente(tipo, vista, quien, motivo=motivo, detalles=cambio.detalles)
            parametros |= {f"e_{c}": v for c, v in evento.items()}
        await s.execute(_SENTENCIAS_DE_UNA_VEZ[sesion, tipo is not None], parametros)
        return ResultadoCambio(aplicado=True)

    @staticmethod
    def _historial(cambio: Cambio, detalles: str | None) -> dict[str, object]:
        return {
            "empleado_id": cambio.actor.empleado_id,
            "actor_nombre": cambio.actor.nombre,
            "accion": cambio.accion,
            "estado_anterior": cambio.antes.estado,
            "estado": cambio.despues.estado,
            "estado_tecnico_anterior": cambio.antes.estado_tecnico,
            "estado_tecnico": cambio.despues.estado_tecnico,
            "detalles": detalles[:500] if detalles else None,
            "seq": cambio.seq,
            "cambio_id": cambio.cambio_id,
            "huella": cambio.huella,
        }

    @activity.defn(name=nombres.CARGAR_ACTOR)
    async def cargar_actor(self, usuario_id: int) -> ActorMsg | None:
        """The active user and the current permissions of their role, as a signal's actor."""
        with sin_internos():
            return await self._actor(usuario_id)

    async def _actor(self, usuario_id: int) -> ActorMsg | None:
        async with self._sessions() as s:
            fila = (
                await s.execute(
                    select(m.Usuario, m.Rol)
                    .join(m.Rol, m.Rol.id == m.Usuario.rol_id)
                    .where(m.Usuario.id == usuario_id, m.Usuario.vigente.is_(True), m.Rol.vigente.is_(True))
                )
            ).first()
        if fila is None:
            return None
        usuario, rol = fila
        return ActorMsg(
            usuario_id=usuario.id,
            empleado_id=usuario.empleado_id,
            nombre=usuario.nombre,
            permisos=frozenset(Permiso(p) for p in rol.permisos),
        )

    async def _verificar_tecnico(self, s: AsyncSession, empleado_id: int | None) -> str:
        """The assignee must be an active empleado whose active user can execute work."""
        puede_ejecutar = exists().where(
            m.Usuario.empleado_id == m.Empleado.id,
            m.Usuario.vigente.is_(True),
            m.Usuario.rol_id == m.Rol.id,
            Permiso.EJECUTAR_TRABAJO.value == any_(m.Rol.permisos),
        )
        empleado = await s.scalar(
            select(m.Empleado).where(
                m.Empleado.id == empleado_id, m.Empleado.vigente.is_(True), puede_ejecutar
            )
        )
        if empleado is None:
            mensaje = f"el empleado {empleado_id} no existe, no está activo o no puede ejecutar trabajos"
            raise dato_invalido(mensaje, "tecnicoId", TipoError.TECNICO_INVALIDO)
        return f"asignado a {empleado.nombre} {empleado.apellido_paterno or ''}".strip()

    async def _registrar_tiempos(self, s: AsyncSession, cambio: Cambio) -> None:
        """Work sessions follow the technician's actions: starting opens one, stopping closes it."""
        accion, sesion = cambio.accion, efecto_de(cambio.accion).sesion
        if sesion == "abrir" and cambio.despues.asignado_a is not None:
            await s.execute(
                _sin_duplicar_sesion(
                    insert(_TIEMPOS).values(
                        pendiente_id=cambio.pendiente_id,
                        empleado_id=cambio.despues.asignado_a,
                        hora_inicio=func.now(),
                        descripcion=f"sesión abierta al {accion}",
                    )
                )
            )
        elif sesion == "cerrar":
            await s.execute(_CERRAR_SESION.where(_TIEMPOS.c.pendiente_id == cambio.pendiente_id))

    async def _notificar(
        self, s: AsyncSession, fila: m.Pendiente, cambio: Cambio, detalles: str | None
    ) -> None:
        """Write the event's notifications in this same transaction (a retry finds them: evento_clave)
        and NOTIFY so that whichever API process holds the recipient's socket pushes them."""
        for aviso in AVISOS.get(cambio.accion, ()):
            texto = aviso.mensaje.format(
                id=fila.id, tipo=fila.tipo, lugar=fila.lugar, detalles=detalles or ""
            )
            for usuario_id in await self._destinatarios(s, aviso, cambio):
                await notificar(
                    s,
                    usuario_id=usuario_id,
                    titulo=aviso.titulo,
                    mensaje=texto,
                    tipo=aviso.tipo,
                    pendiente_id=fila.id,
                    evento_clave=f"{fila.id}:{cambio.seq}:{usuario_id}",
                )

    async def _destinatarios(self, s: AsyncSession, aviso: Aviso, cambio: Cambio) -> list[int]:
        if aviso.destinatarios == TECNICO:
            if cambio.despues.asignado_a is None:
                return []
            consulta = usuarios_activos().where(m.Usuario.empleado_id == cambio.despues.asignado_a)
        else:
            consulta = con_permiso(aviso.destinatarios)
        return [u for u in await s.scalars(consulta) if u != cambio.actor.usuario_id]

    async def _guardar_detalle(self, s: AsyncSession, tipo: str, cambio: Cambio) -> None:
        if cambio.detalle is None:
            return
        modelo = DETALLES[TipoPendiente(tipo)]
        valores = {
            c: v for c, v in cambio.detalle.valores().items() if c in CAMPOS_DETALLE[TipoPendiente(tipo)]
        }
        if cambio.crear_detalle:
            insercion = insert(modelo).values(pendiente_id=cambio.pendiente_id, **valores)
            await s.execute(insercion.on_conflict_do_nothing(index_elements=["pendiente_id"]))
        elif valores:
            await s.execute(
                update(modelo).where(modelo.pendiente_id == cambio.pendiente_id).values(**valores)
            )

    async def _guardar_red(self, s: AsyncSession, tipo: str, cambio: Cambio) -> str | None:
        """Record VLAN / PPPoE values on the type-detail row; the password arrives already encrypted."""
        valores: dict[str, object] = {}
        red = efecto_de(cambio.accion).red
        if red == "vlan":
            valores["vlan"] = cambio.vlan
        elif red == "pppoe":
            valores.update(
                pppoe_usuario=cambio.pppoe_usuario, pppoe_password_cifrado=cambio.pppoe_password_cifrado
            )
        if not valores:
            return None
        modelo = DETALLES[TipoPendiente(tipo)]
        resultado = await s.execute(
            update(modelo).where(modelo.pendiente_id == cambio.pendiente_id).values(**valores)
        )
        if resultado.rowcount == 0:
            raise _rechazo("falta el detalle del pendiente donde se registra la configuración de red")
        if "vlan" in valores:
            return f"VLAN {cambio.vlan}"
        return f"usuario PPPoE {cambio.pppoe_usuario}"

    async def _leer(self, s: AsyncSession, pendiente_id: int) -> EstadoVivo:
        fila = (await s.execute(_LEER, {"pendiente_id": pendiente_id})).first()
        return estado_vivo(fila, await detalle_de(s, fila))

    async def _guardar_etiquetas(
        self, s: AsyncSession, cambio: Cambio
    ) -> tuple[str | None, list[str] | None]:
        """Replace the pendiente's labels by the change's list, in the change's transaction. A label newly
        put must be live (checked again here: it may have been deleted since the API looked); one the
        pendiente already carries stays even if deleted since. Returns the historial text and the names
        (for the search attribute), or (None, None) when the change does not touch labels."""
        if cambio.etiquetas is None:
            return None, None
        pe = m.PendienteEtiqueta
        actuales = await _etiquetas_de(s, cambio.pendiente_id)
        nuevas = set(cambio.etiquetas) - set(actuales)
        if nuevas:
            vivas = await s.execute(
                select(m.Etiqueta.id, m.Etiqueta.nombre).where(
                    m.Etiqueta.id.in_(nuevas), m.Etiqueta.vigente.is_(True)
                )
            )
            actuales |= dict(vivas.all())
            if faltan := sorted(nuevas - set(actuales)):
                lista = ", ".join(map(str, faltan))
                raise dato_invalido(f"etiquetas inexistentes o eliminadas: {lista}", "etiquetaIds")
            filas = [{"pendiente_id": cambio.pendiente_id, "etiqueta_id": i} for i in sorted(nuevas)]
            await s.execute(insert(pe).values(filas).on_conflict_do_nothing())
        await s.execute(
            delete(pe).where(pe.pendiente_id == cambio.pendiente_id, pe.etiqueta_id.not_in(cambio.etiquetas))
        )
        nombres = sorted(actuales[i] for i in set(cambio.etiquetas))
        return "etiquetas: " + (", ".join(nombres) or "ninguna"), nombres


def _columnas_de_estado(cambio: Cambio) -> dict[str, object]:
    """The row's lifecycle columns after the change (_COLUMNAS_DE_ESTADO when it has a clock)."""
    despues = cambio.despues
    return {
        "estado": despues.estado,
        "estado_tecnico": despues.estado_tecnico,
        "asignado_a": despues.asignado_a,
        "fecha_pendiente": despues.fecha_pendiente,
        "vencido": despues.vencido,
        "seq": cambio.seq,
    } | columnas_sla(despues.sla, despues.estado)


def _solo_de_estado(fila: Any, cambio: Cambio) -> bool:
    """Whether the change writes only the row's lifecycle columns (no detail, network values, labels,
    header or deletion, the same technician, a clock): the event's view is then the locked one's."""
    efecto = efecto_de(cambio.accion)
    return (
        cambio.detalle is None
        and efecto.red is None
        and efecto.tecnico != "asignar"
        and cambio.etiquetas is None
        and not _cabecera_editada(cambio)
        and cambio.despues.asignado_a == fila.asignado_a
        and cambio.despues.sla is not None
    )


async def _evento(
    s: AsyncSession,
    accion: str,
    pendiente_id: int,
    actor: ActorMsg,
    motivo: str | None = None,
    detalles: str | None = None,
) -> None:
    """The outbox row of a pendiente's change (none for a change that reports nothing: a refused signal)."""
    tipo = evento_de_cambio(accion)
    if tipo is not None:
        quien = actor_evento(actor.usuario_id, actor.empleado_id, actor.nombre)
        await registrar_de_pendiente(s, tipo, pendiente_id, quien, motivo=motivo, detalles=detalles)
