"""Type details (reference §5.6) for the five types, in the paths the seed documents show and the
original's id-in-body forms:

    GET  /api/pendientes/{id}/<tipo>
    POST /api/pendientes/{id}/<tipo>     POST /api/pendientes/<tipo>   {pendienteId, ...}   (201)
    PUT  /api/pendientes/{id}/<tipo>     PUT  /api/pendientes/<tipo>   {pendienteId, ...}

<tipo>: traslado, averia, instalacion-internet, instalacion-camaras, recojo-dispositivo. This router is
registered before the pendientes router, so `/api/pendientes/traslado` is never read as `/{id}`.

Every write is the workflow Update `guardar_detalle` (REGISTRAR_PENDIENTE or EDITAR_PENDIENTE): created
once (a second POST is a 409), then edited partially (PUT without a detail is a 404). A path of another
type than the pendiente's is a 409. The network values (vlan, PPPoE) are written only by their own paths
(`/{id}/<tipo>/vlan`, `/pppoe`): sent back unchanged or masked here they are ignored, changed they are a
422 naming that path. An INSTALACION_CAMARAS detail has no fields and its row is made with the pendiente,
so POSTing it again acknowledges the existing row (200) instead of a 409.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response

from api.comun.deps import CifradorDep, ComandosDep, SessionDep, UsuarioActual, UsuarioDep, requiere
from api.comun.http import CONFLICTOS, IdempotencyKey, IdPendiente, IfMatch, clave_de, version_esperada
from api.comun.parcial import cambios
from api.comun.respuesta import Respuesta, ok
from api.comun.visibilidad import pendiente_visible
from api.pendientes.esquemas import (
    CAMPOS_NO_DETALLE,
    CAMPOS_RED,
    DETALLE_POR_TIPO,
    SEGMENTOS,
    DetalleConPendienteRequest,
    DetalleRequest,
    DetalleResponse,
)
from api.pendientes.servicio import PASSWORD_OCULTA, leer_detalle, tiene_detalle
from contrato.mensajes import Detalle, OrdenDetalle
from db import models as m
from domain.edicion import CAMPOS_DETALLE, PERMISOS_DETALLE
from domain.enums import TIPOS_CON_RED, TipoPendiente
from domain.errores import Conflicto, DatosInvalidos

router = APIRouter(prefix="/api/pendientes", tags=["detalles"])

# Fields a type's detail cannot lack (traslado: lugarDestino).
OBLIGATORIOS = {
    tipo: frozenset(c for c, campo in esquema.model_fields.items() if campo.is_required())
    for tipo, esquema in DETALLE_POR_TIPO.items()
}
Escritor = Annotated[UsuarioActual, requiere(*PERMISOS_DETALLE)]


def _alias(campo: str) -> str:
    return DetalleRequest.model_fields[campo].alias or campo


async def _del_tipo(session: SessionDep, id: int, tipo: TipoPendiente, usuario: UsuarioActual) -> m.Pendiente:
    fila = await pendiente_visible(session, id, usuario)
    if fila.tipo != tipo:
        raise Conflicto(f"el pendiente {id} es {fila.tipo}, no {tipo}", {"tipo": fila.tipo, "id": id})
    return fila


def _red_sin_cambios(cuerpo: DetalleRequest, actual: DetalleResponse | None, id: int, segmento: str) -> None:
    """Network values may come back as the caller read them (or masked); a new value is refused."""
    tipo = SEGMENTOS[segmento]
    for campo, visible in CAMPOS_RED.items():
        valor = getattr(cuerpo, campo)
        if valor is None or valor == PASSWORD_OCULTA:
            continue
        vigente = getattr(actual, visible, None)
        if vigente is not None and str(valor) == str(vigente):
            continue
        if tipo not in TIPOS_CON_RED:
            raise DatosInvalidos(f"un detalle de {tipo} no tiene '{_alias(campo)}'", {"campo": _alias(campo)})
        ruta = f"/api/pendientes/{id}/{segmento}/{'vlan' if campo == 'vlan' else 'pppoe'}"
        raise DatosInvalidos(f"'{_alias(campo)}' se registra con PUT {ruta}", {"campo": _alias(campo)})


def _valores(cuerpo: DetalleRequest, tipo: TipoPendiente, nuevo: bool) -> dict[str, object]:
    """The detail values sent for `tipo` (column names). Another type's field with a value is a 422."""
    enviados = cambios(cuerpo, OBLIGATORIOS[tipo])
    propios = CAMPOS_DETALLE[tipo]
    for campo, valor in enviados.items():
        if campo not in propios and campo not in CAMPOS_NO_DETALLE and valor is not None:
            raise DatosInvalidos(f"un detalle de {tipo} no tiene '{_alias(campo)}'", {"campo": _alias(campo)})
    if nuevo and (faltan := sorted(OBLIGATORIOS[tipo] - enviados.keys())):
        raise DatosInvalidos(f"falta '{_alias(faltan[0])}'", {"campo": _alias(faltan[0])})
    return {c: v for c, v in enviados.items() if c in propios}


async def _guardar(
    id: int,
    segmento: str,
    cuerpo: DetalleRequest,
    crear: bool,
    usuario: UsuarioActual,
    session: SessionDep,
    comandos: ComandosDep,
    cifrador: CifradorDep,
    clave: str | None,
    if_match: str | None,
) -> tuple[DetalleResponse, bool]:
    """Create or edit the detail through the workflow; answers the detail and whether it was created."""
    if cuerpo.pendiente_id not in (None, id):
        raise DatosInvalidos(f"pendienteId no es {id}, el pendiente de la ruta", {"campo": "pendienteId"})
    fila = await _del_tipo(session, id, SEGMENTOS[segmento], usuario)
    existe = await tiene_detalle(session, fila)
    actual = await leer_detalle(session, fila, usuario, cifrador) if existe else None
    _red_sin_cambios(cuerpo, actual, id, segmento)
    valores = _valores(cuerpo, fila.tipo, nuevo=crear and not existe)
    if crear and existe and not CAMPOS_DETALLE[fila.tipo]:
        return actual, False  # nothing to create nor to conflict with: the marker row is there
    if valores or crear or not existe:
        orden = OrdenDetalle(
            actor=usuario.actor(),
            detalle=Detalle(campos=sorted(valores), **valores),
            crear=crear,
            clave=clave_de(usuario, clave),
            version=version_esperada(if_match),
        )
        await session.rollback()  # free the connection while the workflow works
        await comandos.guardar_detalle(id, orden)
        session.expire_all()
        fila = await pendiente_visible(session, id, usuario)
    return await leer_detalle(session, fila, usuario, cifrador), crear


def _rutas(segmento: str) -> None:
    nombre = segmento.replace("-", " ")
    modelo = Respuesta[DetalleResponse]

    async def obtener(id: IdPendiente, session: SessionDep, cifrador: CifradorDep, usuario: UsuarioDep):
        """El detalle del tipo (contraseña PPPoE enmascarada salvo CONFIGURAR_PPPOE o el técnico asignado)."""
        fila = await _del_tipo(session, id, SEGMENTOS[segmento], usuario)
        return ok(await leer_detalle(session, fila, usuario, cifrador), f"Detalle de {nombre} obtenido")

    async def escribir(id, cuerpo, crear, response, usuario, session, comandos, cifrador, clave, if_match):
        detalle, creado = await _guardar(
            id, segmento, cuerpo, crear, usuario, session, comandos, cifrador, clave, if_match
        )
        response.status_code = 201 if creado else 200
        verbo = "registrado" if crear else "actualizado"
        return ok(detalle, f"Detalle de {nombre} {verbo} correctamente", response.status_code)

    async def crear_en_ruta(
        id: IdPendiente,
        cuerpo: DetalleRequest,
        response: Response,
        usuario: Escritor,
        session: SessionDep,
        comandos: ComandosDep,
        cifrador: CifradorDep,
        idempotency_key: IdempotencyKey = None,
        if_match: IfMatch = None,
    ):
        """Registra el detalle (una sola vez: 409 si ya existe)."""
        args = (usuario, session, comandos, cifrador, idempotency_key, if_match)
        return await escribir(id, cuerpo, True, response, *args)

    async def editar_en_ruta(
        id: IdPendiente,
        cuerpo: DetalleRequest,
        response: Response,
        usuario: Escritor,
        session: SessionDep,
        comandos: ComandosDep,
        cifrador: CifradorDep,
        idempotency_key: IdempotencyKey = None,
        if_match: IfMatch = None,
    ):
        """Cambia solo los campos enviados (`null` vacía uno opcional); 404 si aún no hay detalle."""
        args = (usuario, session, comandos, cifrador, idempotency_key, if_match)
        return await escribir(id, cuerpo, False, response, *args)

    async def crear_con_cuerpo(
        cuerpo: DetalleConPendienteRequest,
        response: Response,
        usuario: Escritor,
        session: SessionDep,
        comandos: ComandosDep,
        cifrador: CifradorDep,
        idempotency_key: IdempotencyKey = None,
        if_match: IfMatch = None,
    ):
        """Forma del original: el pendiente en `pendienteId`."""
        args = (usuario, session, comandos, cifrador, idempotency_key, if_match)
        return await escribir(cuerpo.pendiente_id, cuerpo, True, response, *args)

    async def editar_con_cuerpo(
        cuerpo: DetalleConPendienteRequest,
        response: Response,
        usuario: Escritor,
        session: SessionDep,
        comandos: ComandosDep,
        cifrador: CifradorDep,
        idempotency_key: IdempotencyKey = None,
        if_match: IfMatch = None,
    ):
        """Forma del original: el pendiente en `pendienteId`."""
        args = (usuario, session, comandos, cifrador, idempotency_key, if_match)
        return await escribir(cuerpo.pendiente_id, cuerpo, False, response, *args)

    clave = segmento.replace("-", "_")
    router.get(f"/{{id}}/{segmento}", response_model=modelo, responses=CONFLICTOS, name=f"{clave}_obtener")(
        obtener
    )
    for ruta, crear, editar in (
        (f"/{{id}}/{segmento}", crear_en_ruta, editar_en_ruta),
        (f"/{segmento}", crear_con_cuerpo, editar_con_cuerpo),
    ):
        sufijo = "_en_ruta" if "{id}" in ruta else ""
        router.post(
            ruta, status_code=201, response_model=modelo, responses=CONFLICTOS, name=f"{clave}_crear{sufijo}"
        )(crear)
        router.put(ruta, response_model=modelo, responses=CONFLICTOS, name=f"{clave}_editar{sufijo}")(editar)


for _segmento in SEGMENTOS:
    _rutas(_segmento)
