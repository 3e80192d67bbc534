"""Every read and write of the pendientes feature that goes to Postgres: the routes validate, call this
or the workflow (`comandos.Comandos`), and answer. Reads are served from Postgres, never from workflow
queries: lists must work without a worker. Who sees what is the rule of domain/visibilidad.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    BooleanClauseList,
    ColumnElement,
    Select,
    Subquery,
    and_,
    any_,
    case,
    cast,
    exists,
    func,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql import operators
from sqlalchemy.sql.util import find_tables

from api.comun.deps import UsuarioActual
from api.comun.paginacion import Pagina, ParametrosPagina, orden, pagina_de
from api.comun.visibilidad import exigir, filtro, puede, vinculos
from api.pendientes.esquemas import (
    DetalleResponse,
    EtiquetaBreve,
    FiltroPendienteRequest,
    PendienteResponse,
)
from contrato.mensajes import EstadoVivo
from db import models as m
from db.lectura import UN_PENDIENTE, detalle_de, hechos_sla, hechos_vivos, nombre_de
from domain.enums import EstadoPendiente, EstadoSla, PrioridadPendiente
from domain.errores import DatosInvalidos, NoEncontrado
from domain.etiquetas import ModoEtiquetas
from domain.visibilidad import Recurso, Vinculo
from domain.zona import LIMA
from infra.seguridad import Cifrador

PASSWORD_OCULTA = "********"

_registrador = aliased(m.Empleado)
_tecnico = aliased(m.Empleado)


def _vinculos(usuario: UsuarioActual, fila: m.Pendiente) -> set[Vinculo]:
    return vinculos(usuario, registrado_por=fila.registrado_por, asignado_a=fila.asignado_a)


# -- Checks the routes make before asking the workflow ----------------------------------------------


async def exigir_cliente_vigente(session: AsyncSession, cliente_id: int) -> None:
    cliente = await session.get(m.Cliente, cliente_id)
    if cliente is None or not cliente.vigente:
        raise NoEncontrado(f"cliente {cliente_id} no encontrado", {"campo": "clienteId"})


async def exigir_empleado_vigente(session: AsyncSession, empleado_id: int, campo: str) -> None:
    activo = await session.scalar(
        select(m.Empleado.id).where(m.Empleado.id == empleado_id, m.Empleado.vigente.is_(True))
    )
    if activo is None:
        raise NoEncontrado(f"empleado {empleado_id} no encontrado", {"campo": campo})


async def tiene_detalle(session: AsyncSession, fila: m.Pendiente) -> bool:
    return await detalle_de(session, fila) is not None


async def estado_actual(session: AsyncSession, fila: m.Pendiente) -> EstadoVivo:
    """The pendiente as the workflow sees it, read from its committed row and detail."""
    return EstadoVivo(**hechos_vivos(fila, await detalle_de(session, fila)))


# -- Reads ------------------------------------------------------------------------------------------


async def leer_detalle(
    session: AsyncSession, fila: m.Pendiente, usuario: UsuarioActual, cifrador: Cifrador
) -> DetalleResponse:
    detalle = await detalle_de(session, fila)
    if detalle is None:
        raise NoEncontrado(f"el pendiente {fila.id} no tiene detalle de {fila.tipo}", {"id": fila.id})
    propios = set(DetalleResponse.model_fields) - {"id", "pendiente_id", "tipo", "ppoe", "ppoe_password"}
    campos = {c: getattr(detalle, c) for c in propios if hasattr(detalle, c)}
    cifrada = getattr(detalle, "pppoe_password_cifrado", None)
    password = None
    if cifrada:
        en_claro = puede(usuario, Recurso.PASSWORD_PPPOE, _vinculos(usuario, fila))
        password = cifrador.descifrar(cifrada) if en_claro else PASSWORD_OCULTA
    return DetalleResponse(
        **campos,
        id=fila.id,
        pendiente_id=fila.id,
        tipo=fila.tipo,
        ppoe=getattr(detalle, "pppoe_usuario", None),
        ppoe_password=password,
    )


def _filas_de_pagina(pagina: Subquery, *orden: Any, total: Any = None) -> Select:
    """The rows of a page (`pagina`: their ids) in `orden`, as plain columns (a list only reads them, so
    no ORM objects are built), with the names and the live labels: one statement for the whole page.
    `total` (a scalar subquery), or a `total` column of `pagina`, comes out on every row as `total`."""
    P, C, R, T = m.Pendiente, m.Cliente, _registrador, _tecnico
    PE, E = m.PendienteEtiqueta, m.Etiqueta
    par = func.json_build_array(E.id, E.nombre)
    etiquetas = (
        select(func.json_agg(aggregate_order_by(par, func.lower(E.nombre), E.id)))
        .select_from(PE)
        .join(E, E.id == PE.etiqueta_id)
        .where(PE.pendiente_id == P.id, E.vigente.is_(True))
        .scalar_subquery()
    )
    return (
        select(
            P.__table__,
            C.nombre.label("cliente_nombre"),
            C.codigo_cliente.label("cliente_codigo"),
            C.telefono.label("cliente_telefono"),
            R.nombre.label("registrador_nombre"),
            R.apellido_paterno.label("registrador_apellido"),
            T.nombre.label("tecnico_nombre"),
            T.apellido_paterno.label("tecnico_apellido"),
            etiquetas.label("etiquetas"),
        )
        .add_columns(*(c for c in pagina.c if c.key == "total"))
        .add_columns(*(() if total is None else (total.label("total"),)))
        .join(pagina, pagina.c.id == P.id)
        .join(C, C.id == P.cliente_id)
        .join(R, R.id == P.registrado_por)
        .outerjoin(T, T.id == P.asignado_a)
        .order_by(*orden)
    )


def _respuesta_de_fila(fila: Any, ahora: datetime | None = None) -> PendienteResponse:
    """The answer for a row of `_filas_de_pagina` or of db/lectura's UN_PENDIENTE (same columns).

    Built without validation (`model_construct`): every value comes from a typed column (enum members,
    aware datetimes, ints) already as the model holds it, so validating 25 fields per row (a list's 20
    rows, each request) only re-checked our own data. tests/api/pendientes/test_respuesta_rapida.py
    checks that validating the result changes nothing."""
    etiquetas = [EtiquetaBreve.model_construct(id=i, nombre=n) for i, n in fila.etiquetas or ()]
    return PendienteResponse.model_construct(
        id=fila.id,
        fecha_creacion=fila.fecha_creacion,
        fecha_pendiente=fila.fecha_pendiente,
        id_empleado_registro=fila.registrado_por,
        registrado_por=nombre_de(fila.registrador_nombre, fila.registrador_apellido),
        id_empleado_asignado=fila.asignado_a,
        asignado_a=nombre_de(fila.tecnico_nombre, fila.tecnico_apellido),
        estado=fila.estado,
        estado_tecnico=fila.estado_tecnico,
        empresa=fila.empresa,
        lugar=fila.lugar,
        prioridad=fila.prioridad,
        tipo=fila.tipo,
        direccion=fila.direccion,
        id_cliente=fila.cliente_id,
        cliente=fila.cliente_nombre,
        cod_cliente=fila.cliente_codigo,
        celular_cliente=fila.cliente_telefono,
        vencido=fila.vencido,
        **hechos_sla(fila, ahora or datetime.now(UTC)),
        version=fila.seq,
        etiquetas=etiquetas,
        repetitivo_id=fila.repetitivo_id,
    )


async def etiquetas_vivas(session: AsyncSession, ids: list[int]) -> set[int]:
    """Which of `ids` are live labels (anything outside the id range is not one)."""
    validos = {i for i in ids if 0 < i < 2**63}
    if not validos:
        return set()
    consulta = select(m.Etiqueta.id).where(m.Etiqueta.id.in_(validos), m.Etiqueta.vigente.is_(True))
    return set(await session.scalars(consulta))


async def exigir_etiquetas_vivas(session: AsyncSession, ids: list[int]) -> None:
    if faltan := sorted(set(ids) - await etiquetas_vivas(session, ids)):
        lista = ", ".join(map(str, faltan))
        raise DatosInvalidos(f"etiquetas inexistentes o eliminadas: {lista}", {"campo": "etiquetaIds"})


async def leer_pendiente(
    session: AsyncSession, pendiente_id: int, usuario: UsuarioActual
) -> PendienteResponse:
    # One statement, plain columns (the view every event payload is built from, db/lectura).
    fila = (await session.execute(UN_PENDIENTE, {"pendiente_id": pendiente_id})).first()
    if fila is None or not fila.vigente:
        raise NoEncontrado(f"pendiente {pendiente_id} no encontrado", {"id": pendiente_id})
    exigir(usuario, Recurso.PENDIENTE, _vinculos(usuario, fila))
    return _respuesta_de_fila(fila)


# -- The list ---------------------------------------------------------------------------------------


def condicion_visible(usuario: UsuarioActual) -> ColumnElement[bool]:
    """SQL form of the pendiente rule: a technician's list is the pendientes they registered or hold."""
    columnas = {Vinculo.REGISTRO: m.Pendiente.registrado_por, Vinculo.ASIGNACION: m.Pendiente.asignado_a}
    return filtro(usuario, Recurso.PENDIENTE, columnas)


def _inicio_del_dia(dia: date) -> datetime:
    return datetime.combine(dia, time.min, LIMA)


# Shorter texts have no trigram: they are matched by ILIKE alone, over every row.
MINIMO_TRIGRAMAS = 3


def _texto(texto: str) -> ColumnElement[bool]:
    """A substring (any case) of the client's name, code, document or address, or of the pendiente's
    address. Clients are matched first (far fewer rows) and their pendientes found through the cliente_id
    index; the trigram indexes of revision 0009 narrow both sides before ILIKE decides."""
    escapado = texto.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    patron = f"%{escapado}%"
    C, P = m.Cliente, m.Pendiente
    del_cliente = (C.nombre, C.codigo_cliente, C.numero_documento, C.direccion)
    clientes = select(C.id).where(or_(*(c.ilike(patron, escape="\\") for c in del_cliente)))
    en_direccion = P.direccion.ilike(patron, escape="\\")
    if len(texto) >= MINIMO_TRIGRAMAS:
        piezas = func.trigramas(texto)
        clientes = clientes.where(func.trigramas(*del_cliente).op("@>")(piezas))
        # ILIKE first: should Postgres ever scan the rows, it computes no trigrams for those it rejects.
        en_direccion = and_(en_direccion, func.trigramas(P.direccion).op("@>")(piezas))
    # = ANY(ARRAY(...)) rather than IN (...): an index condition Postgres can OR with the address's.
    return or_(P.cliente_id == any_(func.array(clientes.scalar_subquery())), en_direccion)


def _usuario(usuario_id: int) -> ColumnElement[bool]:
    # `usuarioId` is a user: compare with that user's empleado (unknown user or no empleado: no match).
    empleado = select(m.Usuario.empleado_id).where(m.Usuario.id == usuario_id).scalar_subquery()
    return or_(m.Pendiente.registrado_por == empleado, m.Pendiente.asignado_a == empleado)


def _etiquetas(ids: list[int], modo: ModoEtiquetas | None) -> ColumnElement[bool]:
    """Carries any (or all) of these live labels."""
    pe, e = m.PendienteEtiqueta, m.Etiqueta
    buscadas = set(ids)
    donde = (pe.pendiente_id == m.Pendiente.id, pe.etiqueta_id.in_(buscadas), e.vigente.is_(True))
    if modo is ModoEtiquetas.TODAS:
        # (pendiente_id, etiqueta_id) is the key: counting rows counts distinct labels.
        cuantas = select(func.count()).select_from(pe).join(e, e.id == pe.etiqueta_id).where(*donde)
        return cuantas.scalar_subquery() == len(buscadas)
    return exists().where(e.id == pe.etiqueta_id, *donde)


def condiciones_filtro(filtro: FiltroPendienteRequest) -> list[ColumnElement[bool]]:
    f = filtro
    desde = f.fecha_desde or f.fecha_pendiente
    hasta = f.fecha_hasta or f.fecha_pendiente
    if desde and hasta and desde > hasta:
        raise DatosInvalidos("'fechaHasta' es anterior a 'fechaDesde'", {"campo": "fechaHasta"})
    tipos = {*(f.tipos or ()), *((f.tipo,) if f.tipo else ())}
    texto = (f.texto or "").strip()
    P = m.Pendiente
    posibles: list[tuple[Any, Callable[[Any], ColumnElement[bool]]]] = [
        (f.cliente_id, lambda v: P.cliente_id == v),
        (f.usuario_id, _usuario),
        (f.asignado_a_id, lambda v: P.asignado_a == v),
        (f.registrado_por_id, lambda v: P.registrado_por == v),
        (f.estados or None, lambda v: P.estado.in_(v)),
        (f.estados_tecnico or None, lambda v: P.estado_tecnico.in_(v)),
        (tipos or None, lambda v: P.tipo.in_(sorted(v))),
        (f.prioridad, lambda v: P.prioridad == v),
        (f.lugar, lambda v: P.lugar == v),
        (f.empresa, lambda v: P.empresa == v),
        (f.vencido, lambda v: P.vencido.is_(v)),
        (f.estado_sla, lambda v: P.estado_sla == v),
        (desde, lambda v: P.fecha_pendiente >= _inicio_del_dia(v)),
        (hasta, lambda v: P.fecha_pendiente < _inicio_del_dia(v + timedelta(days=1))),
        (texto or None, _texto),
        (f.etiquetas or None, lambda v: _etiquetas(v, f.etiquetas_modo)),
        (f.repetitivo_id, lambda v: P.repetitivo_id == v),
    ]
    return [condicion(valor) for valor, condicion in posibles if valor is not None]


def _rango_de(enum: type, columna: Any) -> Any:
    """Order an enum column by its declared order (BAJA < MEDIA < URGENTE...), not alphabetically."""
    return case({valor.value: i for i, valor in enumerate(enum)}, value=columna)


ORDEN_PENDIENTES = {
    "id": m.Pendiente.id,
    "fechaCreacion": m.Pendiente.fecha_creacion,
    "fechaModificacion": m.Pendiente.fecha_modificacion,
    "fechaPendiente": m.Pendiente.fecha_pendiente,
    "prioridad": _rango_de(PrioridadPendiente, m.Pendiente.prioridad),
    "estado": _rango_de(EstadoPendiente, m.Pendiente.estado),
    "estadoTecnico": m.Pendiente.estado_tecnico,
    "tipo": m.Pendiente.tipo,
    "lugar": m.Pendiente.lugar,
    "empresa": m.Pendiente.empresa,
    "direccion": m.Pendiente.direccion,
    "vencido": m.Pendiente.vencido,
    "estadoSla": _rango_de(EstadoSla, m.Pendiente.estado_sla),
    "slaVence": m.Pendiente.sla_vence,
    "cliente": m.Cliente.nombre,
    "clienteId": m.Pendiente.cliente_id,
    "codCliente": m.Cliente.codigo_cliente,
    "registradoPor": m.Pendiente.registrado_por,
    "asignadoA": m.Pendiente.asignado_a,
}


# A date range of at most this many rows is sorted for its page from the date index (index-only: a few
# milliseconds at 50k); a larger one walks the creation order, testing the date in that index.
RANGO_ORDENADO = 50_000


def _partes(visible: ColumnElement[bool]) -> list[ColumnElement[bool]]:
    """The caller's visibility as disjoint conditions (a technician's: registered by them; else held by
    them), so each is counted from its own covering index (revision 0010) without the table's pages."""
    if not (isinstance(visible, BooleanClauseList) and visible.operator is operators.or_):
        return [visible]
    anteriores = list(visible.clauses)
    # IS NOT TRUE, not NOT: on a NULL column (asignado_a) a condition is unknown, and NOT unknown
    # would drop the row from every part.
    return [and_(c, *(a.is_not(true()) for a in anteriores[:i])) for i, c in enumerate(anteriores)]


def _conteo(donde: list[ColumnElement[bool]], visible: ColumnElement[bool], *por: Any) -> Select:
    """count(*) of the rows matching `donde` and `visible`, grouped by `por`, summed over the disjoint
    parts of `visible`."""
    cuenta = select(*por, func.count().label("n")).group_by(*por)
    partes = [cuenta.where(*donde, parte) for parte in _partes(visible)]
    if len(partes) == 1:
        return partes[0]
    unidas = union_all(*partes).subquery()
    agrupadas = [unidas.c[c.key] for c in por]
    return select(*agrupadas, cast(func.sum(unidas.c.n), BigInteger)).group_by(*agrupadas)


async def listar_pendientes(
    session: AsyncSession, filtro: FiltroPendienteRequest, pagina: ParametrosPagina, usuario: UsuarioActual
) -> Pagina[PendienteResponse]:
    """One page of the live pendientes the caller may see that match `filtro`. Filtered, paged and
    counted on the pendientes alone (their indexes, revisions 0009 and 0010); the names and labels are
    joined for the page's rows only, in the same statement. Ties go by id, newest first, so a row never
    jumps between pages."""
    P = m.Pendiente
    # `vigente`, not `vigente IS true`: only the former lets Postgres use the partial indexes.
    donde = [P.vigente, *condiciones_filtro(filtro)]
    visible = condicion_visible(usuario)
    criterio = orden(pagina.sort, ORDEN_PENDIENTES, P.fecha_creacion.desc())
    elegidos = select(P.id).where(*donde, visible)
    if m.Cliente.__table__ in find_tables(criterio):
        elegidos = elegidos.join(m.Cliente, m.Cliente.id == P.cliente_id)
    ids = elegidos.order_by(criterio, P.id.desc())
    desde = pagina.page * pagina.size
    total = None
    if pagina.sort is None and (filtro.fecha_desde or filtro.fecha_hasta or filtro.fecha_pendiente):
        # Postgres expects a range's newest rows near the top of the creation order; for a range far
        # from today it is wrong. Counted first, a small range is sorted on its own.
        total = await session.scalar(_conteo(donde, visible)) or 0
        if total <= RANGO_ORDENADO:
            # OFFSET 0 keeps the range a subquery Postgres cannot flatten into the ordered walk.
            rango = elegidos.add_columns(P.fecha_creacion).offset(0).subquery()
            ids = select(rango.c.id).order_by(rango.c.fecha_creacion.desc(), rango.c.id.desc())
    contar_junto, conteo = total is None, None
    if contar_junto and (filtro.texto or "").strip():
        # A text search finds every matching row before it can sort them (its bitmaps are not in creation
        # order): counting them in the same pass spares a second search for the count.
        ids = ids.add_columns(func.count().over().label("total"))
    elif contar_junto:
        # The count in the page's statement, as a subquery Postgres runs once on its own (an InitPlan,
        # planned as the statement alone would be): one round trip, not two.
        conteo = _conteo(donde, visible).correlate(None).scalar_subquery()
    pedida = ids.limit(pagina.size).offset(desde).subquery("pagina")
    # The same order again over the page's rows (a tie goes by id, so it is the same order).
    filas = (await session.execute(_filas_de_pagina(pedida, criterio, P.id.desc(), total=conteo))).all()
    if contar_junto and filas:
        total = filas[0].total or 0
    elif total is None and desde == 0:
        total = 0  # no row at all
    elif total is None:
        # A page past the end carries no row to bring the count: counted apart.
        total = await session.scalar(_conteo(donde, visible)) or 0
    ahora = datetime.now(UTC)
    return pagina_de([_respuesta_de_fila(f, ahora) for f in filas], total, pagina)


async def cambio_por_clave(session: AsyncSession, pendiente_id: int, cambio_id: str) -> m.Historial | None:
    """The historial entry of the change sent with this (user-scoped) key, if it was applied."""
    return await session.scalar(
        select(m.Historial).where(
            m.Historial.pendiente_id == pendiente_id, m.Historial.cambio_id == cambio_id
        )
    )


# -- The board (api/tablero) ------------------------------------------------------------------------


async def por_estado(
    session: AsyncSession, filtro: FiltroPendienteRequest, usuario: UsuarioActual, por_columna: int
) -> tuple[dict[EstadoPendiente, list[PendienteResponse]], dict[EstadoPendiente, int]]:
    """The live pendientes the caller may see that match `filtro`, by estado: the `por_columna` most
    pressing of each (the nearest SLA deadline, then the scheduled day) and how many there are. Chosen
    and counted on the pendientes alone, each column walking `ix_pendientes_estado` (revision 0010) in
    that order; the names are joined for the chosen rows only."""
    P = m.Pendiente
    donde = [P.vigente, *condiciones_filtro(filtro)]
    visible = condicion_visible(usuario)
    conteos = await session.execute(_conteo(donde, visible, P.estado))

    def urgencia(t: Any) -> tuple[Any, ...]:
        return (t.sla_vence.asc().nulls_last(), t.fecha_pendiente.asc().nulls_last(), t.id)

    cada_columna = [
        select(P.id, P.sla_vence, P.fecha_pendiente)
        .where(P.estado == estado, *donde, visible)
        .order_by(*urgencia(P))
        .limit(por_columna)
        for estado in EstadoPendiente
    ]
    elegidas = union_all(*cada_columna).subquery()
    filas = await session.execute(_filas_de_pagina(elegidas, *urgencia(P)))
    columnas: dict[EstadoPendiente, list[PendienteResponse]] = {e: [] for e in EstadoPendiente}
    for fila in filas:
        columnas[fila.estado].append(_respuesta_de_fila(fila))
    return columnas, {EstadoPendiente(e): n for e, n in conteos.all()}
