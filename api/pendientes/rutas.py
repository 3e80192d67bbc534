"""`/api/pendientes`: create (atomically with its workflow), read, list, edit and delete.

- Lists (`POST /filtrar` with a body, `GET ""` with the same filters as query parameters) show only live
  rows the caller may see: VER_TODOS all, VER_DETALLE the ones they registered or are assigned to.
- Edits and deletes are workflow Updates (`Comandos.editar`, `Comandos.eliminar`), so the search
  attributes, the timers and the historial follow; the workflow refuses what the state does not allow.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from pydantic.alias_generators import to_camel

from api.comun.deps import ComandosDep, SessionDep, UsuarioActual, UsuarioDep, requiere, solo_lectura
from api.comun.http import (
    CONFLICTOS,
    ERRORES,
    IdempotencyKey,
    IdPendiente,
    IfMatch,
    clave_de,
    validar,
    version_esperada,
)
from api.comun.paginacion import TAMANO_MAXIMO, Pagina, ParametrosPagina
from api.comun.parcial import cambios
from api.comun.respuesta import Respuesta, ok
from api.comun.visibilidad import pendiente_visible
from api.pendientes import creacion
from api.pendientes.esquemas import (
    AccionRequest,
    CrearPendienteRequest,
    EditarPendienteRequest,
    EtiquetasPersatRequest,
    FiltroPendienteRequest,
    FiltrosResponse,
    PendienteResponse,
)
from api.pendientes.servicio import (
    etiquetas_vivas,
    exigir_cliente_vigente,
    leer_pendiente,
    listar_pendientes,
)
from contrato.mensajes import Edicion, OrdenAccion, OrdenEdicion, OrdenEtiquetas
from domain import enums
from domain.edicion import CAMPOS_EDITABLES, PERMISO_EDITAR, PERMISO_ELIMINAR
from domain.errores import DatosInvalidos
from domain.permisos import Permiso

router = APIRouter(prefix="/api/pendientes", tags=["pendientes"])

Lector = Annotated[UsuarioActual, requiere(Permiso.VER_TODOS, Permiso.VER_DETALLE)]
Editor = Annotated[UsuarioActual, requiere(PERMISO_EDITAR)]
Eliminador = Annotated[UsuarioActual, requiere(PERMISO_ELIMINAR)]


# -- Create -----------------------------------------------------------------------------------------


@router.post("", status_code=201, response_model=Respuesta[PendienteResponse], responses=ERRORES)
# The seed documents write `POST /api/pendientes/`; a client that does not follow redirects needs it.
@router.post("/", status_code=201, response_model=Respuesta[PendienteResponse], include_in_schema=False)
async def crear_pendiente(
    body: CrearPendienteRequest,
    session: SessionDep,
    comandos: ComandosDep,
    usuario: Annotated[UsuarioActual, requiere(Permiso.REGISTRAR_PENDIENTE)],
    idempotency_key: IdempotencyKey = None,
):
    """Registra un pendiente (REGISTRADO, estadoTecnico OK) con su detalle y arranca su flujo durable."""
    pendiente_id = await creacion.crear(session, comandos, body, usuario, idempotency_key)
    return ok(await leer_pendiente(session, pendiente_id, usuario), "Pendiente registrado correctamente", 201)


# -- Lists ------------------------------------------------------------------------------------------

ORDEN_DOC = (
    "campo,asc|desc; campos: id, fechaCreacion (defecto, desc), fechaModificacion, fechaPendiente, "
    "prioridad, estado, estadoTecnico, tipo, lugar, empresa, direccion, vencido, cliente, clienteId, "
    "codCliente, registradoPor, asignadoA. Otro campo: 422"
)


async def pagina_pendientes(
    page: int = Query(0, ge=0, le=1_000_000, description="Página, desde 0"),
    size: int = Query(10, ge=1, le=TAMANO_MAXIMO, description=f"Tamaño (defecto 10, máximo {TAMANO_MAXIMO})"),
    sort: str | None = Query(None, max_length=100, description=ORDEN_DOC),
) -> ParametrosPagina:
    return ParametrosPagina(page, size, sort)


PaginaDep = Annotated[ParametrosPagina, Depends(pagina_pendientes)]
PAGINACION = frozenset({"page", "size", "sort"})
LISTAS = frozenset({"estados", "estadosTecnico", "tipos"})


def _resolver(nodo: Any, definiciones: dict[str, Any]) -> Any:
    if isinstance(nodo, dict):
        if "$ref" in nodo:
            return _resolver(definiciones[nodo["$ref"].rsplit("/", 1)[-1]], definiciones)
        return {k: _resolver(v, definiciones) for k, v in nodo.items()}
    if isinstance(nodo, list):
        return [_resolver(v, definiciones) for v in nodo]
    return nodo


def _parametros_de_filtro() -> list[dict[str, Any]]:
    """The GET list's query parameters, generated from the POST body model so the two never drift."""
    esquema = FiltroPendienteRequest.model_json_schema()
    definiciones = esquema.get("$defs", {})
    parametros = []
    for nombre, propiedad in esquema["properties"].items():
        descripcion = propiedad.get("description", "")
        if nombre in LISTAS:
            descripcion = "Lista: parámetro repetido o valores separados por comas. " + descripcion
        parametros.append(
            {
                "name": nombre,
                "in": "query",
                "required": False,
                "description": descripcion.strip(),
                "schema": _resolver(propiedad, definiciones),
            }
        )
    return parametros


async def filtro_de_query(request: Request) -> FiltroPendienteRequest:
    """The filters of `GET /api/pendientes`: lists repeated (`estados=A&estados=B`) or `estados=A,B`."""
    consulta = request.query_params
    datos: dict[str, Any] = {}
    for nombre in consulta.keys() - PAGINACION:
        valores = consulta.getlist(nombre)
        datos[nombre] = valores if nombre in LISTAS or len(valores) > 1 else valores[0]
    return validar(FiltroPendienteRequest, datos)


def _filtros() -> FiltrosResponse:
    return FiltrosResponse(
        estados=list(enums.EstadoPendiente),
        tipos=list(enums.TipoPendiente),
        estados_tecnico=list(enums.EstadoTecnico),
        prioridades=list(enums.PrioridadPendiente),
        lugares=list(enums.LugarPendiente),
        empresas=list(enums.EmpresaPendiente),
        tipos_instalacion=list(enums.TipoInstalacion),
        tipos_servicio=list(enums.TipoServicio),
        dispositivos=list(enums.TipoDispositivoRecojo),
    )


@router.get("/filtros", response_model=Respuesta[FiltrosResponse], responses=ERRORES)
@solo_lectura
async def filtros(usuario: UsuarioDep):
    """Los valores posibles de estados, tipos y demás enumeraciones, para filtros y formularios."""
    return ok(_filtros(), "Filtros obtenidos correctamente")


@router.post("/filtros", response_model=Respuesta[FiltrosResponse], responses=ERRORES, deprecated=True)
@solo_lectura
async def filtros_post(usuario: UsuarioDep):
    """Compatibilidad (una lectura por POST, como el original): use GET."""
    return ok(_filtros(), "Filtros obtenidos correctamente")


@router.post("/filtrar", response_model=Respuesta[Pagina[PendienteResponse]], responses=ERRORES)
@solo_lectura
async def filtrar(
    usuario: Lector,
    session: SessionDep,
    pagina: PaginaDep,
    filtro: Annotated[FiltroPendienteRequest | None, Body()] = None,
):
    """Pendientes vigentes que el usuario puede ver y cumplen todos los filtros del cuerpo, paginados."""
    resultado = await listar_pendientes(session, filtro or FiltroPendienteRequest(), pagina, usuario)
    return ok(resultado, "Pendientes obtenidos correctamente")


@router.get(
    "",
    response_model=Respuesta[Pagina[PendienteResponse]],
    responses=ERRORES,
    openapi_extra={"parameters": _parametros_de_filtro()},
)
@solo_lectura
async def listar(
    usuario: Lector,
    session: SessionDep,
    pagina: PaginaDep,
    filtro: Annotated[FiltroPendienteRequest, Depends(filtro_de_query)],
):
    """Lo mismo que `POST /filtrar`, con los filtros como parámetros de consulta."""
    return ok(await listar_pendientes(session, filtro, pagina, usuario), "Pendientes obtenidos correctamente")


@router.get("/{id}", response_model=Respuesta[PendienteResponse], responses=ERRORES)
@solo_lectura
async def obtener_pendiente(id: IdPendiente, session: SessionDep, usuario: UsuarioDep):
    """Un pendiente por id (VER_TODOS, o VER_DETALLE si lo registró o lo tiene asignado)."""
    return ok(await leer_pendiente(session, id, usuario), "Pendiente obtenido correctamente")


# -- Edit and delete --------------------------------------------------------------------------------

CICLO_DE_VIDA = frozenset(
    {"estado", "estadoTecnico", "asignadoA", "asignadoAId", "idEmpleadoAsignado", "tecnicoId", "vencido"}
)
OBLIGATORIOS = frozenset({"prioridad", "lugar", "cliente_id"})
EDITABLES_DOC = "direccion, prioridad, lugar, empresa, fechaPendiente, clienteId"


# Names the API spells (a response's fields, the lifecycle's): a 422 names them so, even when sent in
# snake_case (`estado_tecnico`). Any other unknown name is named as sent.
NOMBRES_DE_LA_API = frozenset(f.alias or n for n, f in PendienteResponse.model_fields.items()) | CICLO_DE_VIDA


def _nombre_de_la_api(campo: str) -> str:
    camel = to_camel(campo)
    return camel if camel in NOMBRES_DE_LA_API else campo


def _rechazar_ajenos(id: int, cuerpo: EditarPendienteRequest) -> None:
    """Fields outside the editable header are a 422 naming them; the path's own id is tolerated."""
    for enviado, valor in (cuerpo.model_extra or {}).items():
        if enviado == "id" and valor == id:
            continue
        campo = _nombre_de_la_api(enviado)
        if campo in CICLO_DE_VIDA:
            mensaje = (
                f"'{campo}' cambia solo con las acciones del ciclo de vida (/api/pendientes/{id}/acciones)"
            )
        else:
            mensaje = f"'{campo}' no se edita; los campos editables son: {EDITABLES_DOC}"
        raise DatosInvalidos(mensaje, {"campo": campo})


def _edicion(id: int, cuerpo: EditarPendienteRequest) -> Edicion:
    _rechazar_ajenos(id, cuerpo)
    valores = {c: v for c, v in cambios(cuerpo, OBLIGATORIOS).items() if c in CAMPOS_EDITABLES}
    return Edicion(campos=sorted(valores), **valores)


async def _etiquetas_como_persat(id, cuerpo, session, comandos, usuario, idempotency_key, if_match):
    """The peer's label write (`{"labels_ids": [..]}` replaces them; an unknown id is ignored and named
    in the message, as the peer accepts it silently). Alone in its body: one request, one change."""
    extra = dict(cuerpo.model_extra or {})
    propios = {"labels_ids"} | ({"id"} if extra.get("id") == id else set())
    # (model_fields_set also holds the extra names: only the declared ones are looked at there)
    declarados = cuerpo.model_fields_set & set(type(cuerpo).model_fields) - {"version"}
    otros = sorted(set(extra) - propios) + sorted(declarados)
    if otros:
        mensaje = "'labels_ids' va solo en el cuerpo (o use PUT /api/pendientes/{id}/etiquetas)"
        raise DatosInvalidos(mensaje, {"campo": _nombre_de_la_api(otros[0])})
    pedidas = validar(EtiquetasPersatRequest, {"labels_ids": extra["labels_ids"]}).labels_ids
    await pendiente_visible(session, id, usuario)
    conocidas = await etiquetas_vivas(session, pedidas)
    orden = OrdenEtiquetas(
        actor=usuario.actor(),
        etiquetas=sorted(conocidas),
        clave=clave_de(usuario, idempotency_key),
        version=version_esperada(if_match, cuerpo.version),
    )
    await session.rollback()  # free the connection while the workflow works
    await comandos.etiquetar(id, orden)
    session.expire_all()
    mensaje = "Etiquetas actualizadas correctamente"
    if desconocidas := sorted(set(pedidas) - conocidas):
        mensaje += "; etiquetas desconocidas ignoradas: " + ", ".join(map(str, desconocidas))
    return ok(await leer_pendiente(session, id, usuario), mensaje)


async def _editar(id, cuerpo, session, comandos, usuario, idempotency_key, if_match):
    if "labels_ids" in (cuerpo.model_extra or {}):
        args = (session, comandos, usuario, idempotency_key, if_match)
        return await _etiquetas_como_persat(id, cuerpo, *args)
    await pendiente_visible(session, id, usuario)
    edicion = _edicion(id, cuerpo)
    if edicion.cliente_id is not None:
        await exigir_cliente_vigente(session, edicion.cliente_id)
    if edicion.campos:  # an empty body changes nothing and writes no historial
        orden = OrdenEdicion(
            actor=usuario.actor(),
            edicion=edicion,
            clave=clave_de(usuario, idempotency_key),
            version=version_esperada(if_match, cuerpo.version),
        )
        await session.rollback()  # free the connection while the workflow works
        await comandos.editar(id, orden)
        session.expire_all()
    return ok(await leer_pendiente(session, id, usuario), "Pendiente actualizado correctamente")


@router.put("/{id}", response_model=Respuesta[PendienteResponse], responses=CONFLICTOS)
async def editar_pendiente(
    id: IdPendiente,
    cuerpo: EditarPendienteRequest,
    session: SessionDep,
    comandos: ComandosDep,
    usuario: Editor,
    idempotency_key: IdempotencyKey = None,
    if_match: IfMatch = None,
):
    """Cambia solo los campos enviados (`null` vacía direccion, empresa o fechaPendiente). Editables:
    direccion, prioridad, lugar, empresa, fechaPendiente, clienteId. estado, estadoTecnico o asignadoA
    cambian con las acciones (422). 409 si está FINALIZADO o CANCELADO. Como en Persat,
    `{"labels_ids": [..]}` (solo) reemplaza las etiquetas; un id desconocido se ignora y se nombra."""
    return await _editar(id, cuerpo, session, comandos, usuario, idempotency_key, if_match)


@router.patch("/{id}", response_model=Respuesta[PendienteResponse], responses=CONFLICTOS)
async def parchar_pendiente(
    id: IdPendiente,
    cuerpo: EditarPendienteRequest,
    session: SessionDep,
    comandos: ComandosDep,
    usuario: Editor,
    idempotency_key: IdempotencyKey = None,
    if_match: IfMatch = None,
):
    """Igual que PUT (los dos son parciales)."""
    return await _editar(id, cuerpo, session, comandos, usuario, idempotency_key, if_match)


@router.api_route("/{id}", response_model=Respuesta[None], responses=CONFLICTOS, methods=["DELETE"])
async def eliminar_pendiente(
    id: IdPendiente,
    session: SessionDep,
    comandos: ComandosDep,
    usuario: Eliminador,
    motivo: Annotated[str | None, Query(max_length=500, description="Queda en el historial")] = None,
    idempotency_key: IdempotencyKey = None,
    if_match: IfMatch = None,
):
    """Eliminación lógica, solo REGISTRADO o CANCELADO (409 si no): deja de listarse, su id da 404 y su
    flujo termina."""
    await pendiente_visible(session, id, usuario)
    orden = OrdenAccion(
        actor=usuario.actor(),
        motivo=validar(AccionRequest, {"motivo": motivo}).motivo,
        clave=clave_de(usuario, idempotency_key),
        version=version_esperada(if_match),
    )
    await session.rollback()  # free the connection while the workflow works
    await comandos.eliminar(id, orden)
    return ok(None, "Pendiente eliminado correctamente")
