"""Lifecycle actions over HTTP. Every route here ends in one workflow Update; the rules live in
domain/ and are enforced by the workflow, so these handlers only translate HTTP into an OrdenAccion.

Clean form: `POST /api/pendientes/{id}/acciones/{accion}`; the original's paths stay as aliases.
Every route here only reads in its session (the workflow writes the change): `solo_lectura`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Header, Path, Query
from pydantic import SecretStr

from api.comun.deps import CifradorDep, ComandosDep, SessionDep, UsuarioActual, UsuarioDep, solo_lectura
from api.comun.http import ERRORES, IdempotencyKey, IdPendiente, validar
from api.comun.respuesta import Respuesta, ok
from api.comun.visibilidad import pendiente_visible
from api.pendientes import acciones
from api.pendientes.esquemas import (
    SEGMENTOS_RED,
    AccionesResponse,
    AccionRequest,
    CambioResponse,
    CancelarPersatRequest,
    DetalleResponse,
    PendienteResponse,
)
from api.pendientes.servicio import (
    cambio_por_clave,
    estado_actual,
    etiquetas_vivas,
    leer_detalle,
)
from contrato.mensajes import EstadoVivo
from domain.acciones import (
    Accion,
    accion_hacia,
    accion_tecnica_hacia,
    datos_conflicto,
)
from domain.enums import EstadoPendiente, EstadoTecnico
from domain.errores import Conflicto, DatosInvalidos, NoEncontrado

router = APIRouter(prefix="/api/pendientes", tags=["acciones"])
RESPUESTAS = ERRORES | {409: {"model": Respuesta[dict], "description": "No permitido en el estado actual"}}

IfMatch = Annotated[
    str | None, Header(alias="If-Match", description="Versión del pendiente que vio el cliente")
]
CuerpoAccion = Annotated[AccionRequest | None, Body()]


async def _accionar(
    pendiente_id: int,
    accion: Accion,
    cuerpo: AccionRequest | None,
    usuario: UsuarioActual,
    session: SessionDep,
    comandos: ComandosDep,
    cifrador: CifradorDep,
    clave: str | None = None,
    if_match: str | None = None,
    *,
    etiquetas: list[int] | None = None,
    nota: str = "",
):
    """Send one action and answer with the pendiente as it is now; `nota` ends the message."""
    args = (pendiente_id, accion, cuerpo, usuario, session, comandos, cifrador, clave, if_match)
    hecho = await acciones.accionar(*args, etiquetas=etiquetas)
    aplicada = f"acción '{accion}' aplicada: el pendiente está"
    if hecho.pendiente is None:
        # Accepted, and the caller may no longer see the pendiente (a technician who released it):
        # an applied change is a 2xx all the same, without the data they may not see any more.
        return ok(None, f"{aplicada} {hecho.vivo.estado} y ya no está a su cargo{nota}")
    return ok(hecho.pendiente, f"{aplicada} {hecho.pendiente.estado}{nota}")


@router.get("/{id}/acciones", response_model=Respuesta[AccionesResponse], responses=ERRORES)
@solo_lectura
async def acciones_disponibles(id: IdPendiente, session: SessionDep, usuario: UsuarioDep):
    """Las acciones que el usuario puede hacer ahora sobre este pendiente (los botones de una UI)."""
    return ok(await acciones.acciones_de(session, id, usuario), "Acciones disponibles")


@router.get("/{id}/cambios/{clave}", response_model=Respuesta[CambioResponse], responses=ERRORES)
@solo_lectura
async def resultado_de_cambio(
    id: IdPendiente,
    clave: Annotated[str, Path(max_length=200)],
    session: SessionDep,
    usuario: UsuarioDep,
):
    """¿Se aplicó el cambio enviado con esta Idempotency-Key (la suya, o la que devolvió un 503)?
    404 si no consta: reintente con la misma clave, que se aplica una sola vez."""
    await pendiente_visible(session, id, usuario)
    fila = await cambio_por_clave(session, id, f"{usuario.id}:{clave}")
    if fila is None:
        raise NoEncontrado(
            "ningún cambio con esa Idempotency-Key consta como aplicado; reintente con la misma clave "
            "(se aplica una sola vez)",
            {"idempotencyKey": clave},
        )
    datos = CambioResponse(
        idempotency_key=clave,
        accion=fila.accion,
        version=fila.seq,
        estado=fila.estado,
        estado_tecnico=fila.estado_tecnico,
        fecha=fila.fecha_creacion,
    )
    return ok(datos, f"el cambio '{fila.accion}' se aplicó (versión {fila.seq})")


@router.post("/{id}/acciones/{accion}", response_model=Respuesta[PendienteResponse], responses=RESPUESTAS)
@solo_lectura
async def ejecutar_accion(
    id: IdPendiente,
    accion: Accion,
    session: SessionDep,
    comandos: ComandosDep,
    cifrador: CifradorDep,
    usuario: UsuarioDep,
    cuerpo: CuerpoAccion = None,
    idempotency_key: IdempotencyKey = None,
    if_match: IfMatch = None,
):
    """Ejecuta una acción del ciclo de vida. 409 si el estado no la permite (con las acciones posibles),
    403 si falta el permiso o no es su pendiente. `Idempotency-Key` la aplica una sola vez."""
    return await _accionar(
        id, accion, cuerpo, usuario, session, comandos, cifrador, idempotency_key, if_match
    )


def _unica(
    posibles: list[Accion], desde: str, objetivo: str, vivo: EstadoVivo, usuario: UsuarioActual
) -> Accion:
    if len(posibles) == 1:
        return posibles[0]
    motivo = "ninguna acción lleva" if not posibles else "varias acciones llevan"
    datos = datos_conflicto(vivo.situacion(), vivo.seq, usuario.actor().a_dominio())
    raise Conflicto(f"{motivo} de {desde} a {objetivo}", datos)


@router.put("/{id}/estado", response_model=Respuesta[PendienteResponse], responses=RESPUESTAS)
@solo_lectura
async def cambiar_estado(
    id: IdPendiente,
    nuevo_estado: Annotated[EstadoPendiente, Query(alias="nuevoEstado")],
    session: SessionDep,
    comandos: ComandosDep,
    cifrador: CifradorDep,
    usuario: UsuarioDep,
    cuerpo: CuerpoAccion = None,
    motivo: Annotated[str | None, Query(max_length=500)] = None,
    idempotency_key: IdempotencyKey = None,
):
    """Compatibilidad: se resuelve a la única acción que lleva del estado actual a `nuevoEstado`."""
    fila = await pendiente_visible(session, id, usuario)
    vivo = await estado_actual(session, fila)
    accion = _unica(accion_hacia(vivo.situacion(), nuevo_estado), fila.estado, nuevo_estado, vivo, usuario)
    cuerpo = cuerpo or AccionRequest()
    if motivo and not cuerpo.motivo:
        # Validated like the body's (a query string can carry a NUL, %00).
        cuerpo = cuerpo.model_copy(update={"motivo": validar(AccionRequest, {"motivo": motivo}).motivo})
    return await _accionar(id, accion, cuerpo, usuario, session, comandos, cifrador, idempotency_key)


async def _estado_tecnico(id, nuevo, cuerpo, usuario, session, comandos, cifrador):
    fila = await pendiente_visible(session, id, usuario)
    vivo = await estado_actual(session, fila)
    accion = _unica(accion_tecnica_hacia(vivo.situacion(), nuevo), fila.estado_tecnico, nuevo, vivo, usuario)
    return await _accionar(id, accion, cuerpo, usuario, session, comandos, cifrador)


NuevoEstadoTecnico = Annotated[EstadoTecnico, Query(alias="nuevoEstado")]


@router.put("/{id}/estado-tecnico", response_model=Respuesta[PendienteResponse], responses=RESPUESTAS)
@solo_lectura
async def cambiar_estado_tecnico(
    id: IdPendiente,
    nuevo_estado: NuevoEstadoTecnico,
    session: SessionDep,
    comandos: ComandosDep,
    cifrador: CifradorDep,
    usuario: UsuarioDep,
    cuerpo: CuerpoAccion = None,
):
    """Pide o completa la configuración de red resolviendo la acción que lleva a `nuevoEstado`
    (volver a OK exige los datos: `vlan` o `pppoeUser` + `pppoePassword` en el cuerpo)."""
    return await _estado_tecnico(id, nuevo_estado, cuerpo, usuario, session, comandos, cifrador)


@router.get(
    "/{id}/estado-tecnico",
    response_model=Respuesta[PendienteResponse],
    responses=RESPUESTAS,
    deprecated=True,
)
@solo_lectura
async def cambiar_estado_tecnico_get(
    id: IdPendiente,
    nuevo_estado: NuevoEstadoTecnico,
    session: SessionDep,
    comandos: ComandosDep,
    cifrador: CifradorDep,
    usuario: UsuarioDep,
):
    """Obsoleto (un GET que escribe, como el original): use PUT. Mismas reglas y permisos."""
    return await _estado_tecnico(id, nuevo_estado, None, usuario, session, comandos, cifrador)


@router.put("/{id}/asignar", response_model=Respuesta[PendienteResponse], responses=RESPUESTAS)
@solo_lectura
async def asignar(
    id: IdPendiente,
    session: SessionDep,
    comandos: ComandosDep,
    cifrador: CifradorDep,
    usuario: UsuarioDep,
    id_asignado: Annotated[int | None, Query(alias="idAsignado", gt=0, le=2**63 - 1)] = None,
    empleado_id: Annotated[int | None, Query(alias="empleadoId", gt=0, le=2**63 - 1)] = None,
    idempotency_key: IdempotencyKey = None,
    if_match: IfMatch = None,
):
    """Asigna (o cambia) el técnico: REGISTRADO/POSTERGADO/ASIGNADO → ASIGNADO."""
    tecnico = id_asignado or empleado_id
    if tecnico is None:
        raise DatosInvalidos("indique idAsignado (o empleadoId)", {"campo": "idAsignado"})
    cuerpo = validar(AccionRequest, dict(tecnicoId=tecnico))
    args = (usuario, session, comandos, cifrador, idempotency_key, if_match)
    return await _accionar(id, Accion.ASIGNAR, cuerpo, *args)


@router.put("/{id}/postergar", response_model=Respuesta[PendienteResponse], responses=RESPUESTAS)
@solo_lectura
async def postergar(
    id: IdPendiente,
    cuerpo: AccionRequest,
    session: SessionDep,
    comandos: ComandosDep,
    cifrador: CifradorDep,
    usuario: UsuarioDep,
    idempotency_key: IdempotencyKey = None,
):
    """`{nuevaFecha, motivo}`: fecha futura (hora de Lima si no trae zona); vuelve sola ese día."""
    return await _accionar(
        id, Accion.POSTERGAR, cuerpo, usuario, session, comandos, cifrador, idempotency_key
    )


@router.put("/{id}/cancelar", response_model=Respuesta[PendienteResponse], responses=RESPUESTAS)
@solo_lectura
async def cancelar(
    id: IdPendiente,
    cuerpo: AccionRequest,
    session: SessionDep,
    comandos: ComandosDep,
    cifrador: CifradorDep,
    usuario: UsuarioDep,
    idempotency_key: IdempotencyKey = None,
):
    """`{motivo}` (o `cause`, hasta 500 caracteres, obligatorio). Recuperable postergando."""
    return await _accionar(id, Accion.CANCELAR, cuerpo, usuario, session, comandos, cifrador, idempotency_key)


@router.post("/{id}/cancel", response_model=Respuesta[PendienteResponse], responses=RESPUESTAS)
@solo_lectura
async def cancelar_como_persat(
    id: IdPendiente,
    cuerpo: CancelarPersatRequest,
    session: SessionDep,
    comandos: ComandosDep,
    cifrador: CifradorDep,
    usuario: UsuarioDep,
    idempotency_key: IdempotencyKey = None,
):
    """Para integraciones hechas para Persat: `{"cause": "...", "labels_ids": [...]}`. Mismas reglas
    que `PUT /{id}/cancelar`; `labels_ids` reemplaza las etiquetas en el mismo cambio que la cancelación
    (`[]` las quita, sin él se conservan) y basta CANCELAR_PENDIENTE. Como en Persat, un id desconocido
    no es un error: se ignora y el mensaje de la respuesta lo nombra."""
    etiquetas, nota = None, ""
    if cuerpo.labels_ids is not None:
        conocidas = await etiquetas_vivas(session, cuerpo.labels_ids)
        etiquetas = sorted(conocidas)
        if desconocidas := sorted(set(cuerpo.labels_ids) - conocidas):
            nota = "; etiquetas desconocidas ignoradas: " + ", ".join(map(str, desconocidas))
    args = (usuario, session, comandos, cifrador, idempotency_key)
    return await _accionar(id, Accion.CANCELAR, cuerpo, *args, etiquetas=etiquetas, nota=nota)


# -- PPPoE / VLAN on the three network-bearing types (original paths, `ppoe` and `¿` aliases) ------


async def _configurar_red(
    id: int,
    segmento: str,
    accion: Accion,
    cuerpo: AccionRequest,
    usuario: UsuarioActual,
    session: SessionDep,
    comandos: ComandosDep,
    cifrador: CifradorDep,
) -> dict:
    fila = await pendiente_visible(session, id, usuario)
    if fila.tipo != SEGMENTOS_RED[segmento]:
        raise Conflicto(
            f"el pendiente {id} es {fila.tipo}, no {SEGMENTOS_RED[segmento]}", {"tipo": fila.tipo}
        )
    await _accionar(id, accion, cuerpo, usuario, session, comandos, cifrador)
    session.expire_all()
    fila = await pendiente_visible(session, id, usuario)
    return ok(await leer_detalle(session, fila, usuario, cifrador), f"{accion} registrado")


def _rutas_red(segmento: str) -> None:
    @solo_lectura
    async def pppoe(
        id: IdPendiente,
        session: SessionDep,
        comandos: ComandosDep,
        cifrador: CifradorDep,
        usuario: UsuarioDep,
        cuerpo: CuerpoAccion = None,
        pppoe_user: Annotated[str | None, Query(alias="pppoeUser", max_length=100)] = None,
        ppoe_user: Annotated[str | None, Query(alias="ppoeUser", max_length=100)] = None,
        pppoe_password: Annotated[SecretStr | None, Query(alias="pppoePassword", max_length=100)] = None,
        ppoe_password: Annotated[SecretStr | None, Query(alias="ppoePassword", max_length=100)] = None,
    ):
        """Registra usuario y contraseña PPPoE (mejor en el cuerpo JSON; por query solo por compatibilidad).
        La contraseña se guarda cifrada y nunca entra en el historial ni en Temporal."""
        cuerpo = cuerpo or AccionRequest()
        usuario_pppoe = cuerpo.pppoe_usuario or pppoe_user or ppoe_user
        password = cuerpo.pppoe_password or pppoe_password or ppoe_password
        completo = validar(
            AccionRequest, dict(pppoeUser=usuario_pppoe, pppoePassword=password, version=cuerpo.version)
        )
        args = (usuario, session, comandos, cifrador)
        return await _configurar_red(id, segmento, Accion.CONFIGURAR_PPPOE, completo, *args)

    @solo_lectura
    async def vlan(
        id: IdPendiente,
        session: SessionDep,
        comandos: ComandosDep,
        cifrador: CifradorDep,
        usuario: UsuarioDep,
        cuerpo: CuerpoAccion = None,
        vlan: Annotated[int | None, Query(ge=1, le=4094)] = None,
    ):
        """Registra la VLAN (1..4094)."""
        cuerpo = cuerpo or AccionRequest()
        completo = validar(AccionRequest, dict(vlan=cuerpo.vlan or vlan, version=cuerpo.version))
        args = (usuario, session, comandos, cifrador)
        return await _configurar_red(id, segmento, Accion.CONFIGURAR_VLAN, completo, *args)

    modelo = Respuesta[DetalleResponse]
    for ruta in ("pppoe", "ppoe"):
        router.put(
            f"/{{id}}/{segmento}/{ruta}",
            response_model=modelo,
            responses=RESPUESTAS,
            name=f"{segmento}_{ruta}",
            include_in_schema=ruta == "pppoe",
        )(pppoe)
    router.put(
        f"/{{id}}/{segmento}/vlan", response_model=modelo, responses=RESPUESTAS, name=f"{segmento}_vlan"
    )(vlan)
    if segmento != "instalacion-internet":
        # The original served these two with a stray `¿`; old clients keep working.
        router.put(f"/{{id}}/{segmento}¿/vlan", response_model=modelo, include_in_schema=False)(vlan)


for _segmento in SEGMENTOS_RED:
    _rutas_red(_segmento)
