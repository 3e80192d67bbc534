"""Editing the header and deleting a pendiente go through its workflow too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.client import WorkflowExecutionStatus

from contrato.mensajes import Edicion, OrdenAccion, OrdenEdicion
from db import models as m
from domain.errores import Conflicto, SinPermiso
from infra.temporal import workflow_id
from tests.api.pendientes.acciones.conftest import manana
from workflows import busqueda


async def _fila(sessions, pendiente_id):
    async with sessions() as s:
        return await s.get(m.Pendiente, pendiente_id)


async def test_editar_cambia_la_fila_los_atributos_y_el_historial(
    app, crear, personas, sessions, temporal_env, historial
):
    pendiente_id = await crear("ASIGNADO")
    nueva_fecha = manana() + timedelta(days=3)
    edicion = Edicion(
        campos=["lugar", "fecha_pendiente", "direccion"], lugar="ZEPITA", fecha_pendiente=nueva_fecha
    )
    orden = OrdenEdicion(actor=personas.actores["coordinadora"], edicion=edicion)

    vivo = await app.state.comandos.editar(pendiente_id, orden)

    fila = await _fila(sessions, pendiente_id)
    assert (fila.lugar, fila.direccion, fila.estado) == ("ZEPITA", None, "ASIGNADO")
    assert fila.fecha_pendiente == nueva_fecha and vivo.fecha_pendiente == nueva_fecha
    assert (await historial(pendiente_id))[-1].accion == "editar"
    descripcion = await temporal_env.client.get_workflow_handle(workflow_id(pendiente_id)).describe()
    assert descripcion.typed_search_attributes.get(busqueda.LUGAR) == "ZEPITA"


@pytest.mark.parametrize(
    ("estado", "rol", "error"),
    [("FINALIZADO", "coordinadora", Conflicto), ("REGISTRADO", "tecnico", SinPermiso)],
)
async def test_editar_rechazado(app, crear, personas, estado, rol, error):
    pendiente_id = await crear(estado)
    actor = personas.tecnicos[0] if rol == "tecnico" else personas.actores[rol]
    orden = OrdenEdicion(actor=actor, edicion=Edicion(campos=["prioridad"], prioridad="BAJA"))
    with pytest.raises(error):
        await app.state.comandos.editar(pendiente_id, orden)


async def test_un_campo_del_ciclo_de_vida_no_se_edita(app, crear, personas):
    pendiente_id = await crear("REGISTRADO")
    orden = OrdenEdicion(actor=personas.actores["administrador"], edicion=Edicion(campos=["estado"]))
    with pytest.raises(Exception, match="no editables"):
        await app.state.comandos.editar(pendiente_id, orden)


@pytest.mark.parametrize("estado", ["REGISTRADO", "CANCELADO"])
async def test_eliminar_oculta_la_fila_y_termina_el_flujo(
    app, crear, personas, sessions, temporal_env, estado
):
    pendiente_id = await crear(estado)

    await app.state.comandos.eliminar(pendiente_id, OrdenAccion(actor=personas.actores["coordinadora"]))

    assert (await _fila(sessions, pendiente_id)).vigente is False
    handle = temporal_env.client.get_workflow_handle(workflow_id(pendiente_id))
    assert (await handle.describe()).status is WorkflowExecutionStatus.COMPLETED


async def test_no_se_elimina_trabajo_en_curso(app, crear, personas, sessions):
    pendiente_id = await crear("EN_PROGRESO")
    with pytest.raises(Conflicto):
        await app.state.comandos.eliminar(pendiente_id, OrdenAccion(actor=personas.actores["coordinadora"]))
    assert (await _fila(sessions, pendiente_id)).vigente is True


async def test_el_detalle_pasa_por_el_flujo_y_habilita_la_asignacion(app, personas, sessions):
    from sqlalchemy import select

    from contrato.mensajes import DatosPendiente, Detalle, OrdenDetalle
    from domain.acciones import Accion
    from domain.errores import DatosInvalidos, NoEncontrado

    comandos = app.state.comandos
    coordinadora = personas.actores["coordinadora"]
    async with sessions() as s:
        cliente = await s.scalar(select(m.Cliente.id).where(m.Cliente.codigo_cliente == "CLI000007"))
    datos = DatosPendiente(
        cliente_id=cliente,
        registrado_por=coordinadora.empleado_id,
        tipo="TRASLADO",
        lugar="PUNO",
        prioridad="MEDIA",
    )
    pendiente_id = await comandos.crear_pendiente(datos, coordinadora)
    asignar = OrdenAccion(actor=coordinadora, tecnico_id=personas.tecnicos[0].empleado_id)
    with pytest.raises(Conflicto, match="detalle"):
        await comandos.ejecutar(pendiente_id, Accion.ASIGNAR, asignar)
    editar = OrdenDetalle(actor=coordinadora, crear=False, detalle=Detalle(campos=["direccion_destino"]))
    with pytest.raises(NoEncontrado):
        await comandos.guardar_detalle(pendiente_id, editar)

    crear = Detalle(campos=["lugar_destino", "tipo_servicio"], lugar_destino="JULI", tipo_servicio="CAMARAS")
    vivo = await comandos.guardar_detalle(
        pendiente_id, OrdenDetalle(actor=coordinadora, crear=True, detalle=crear)
    )
    assert vivo.tiene_detalle
    with pytest.raises(Conflicto):
        await comandos.guardar_detalle(
            pendiente_id, OrdenDetalle(actor=coordinadora, crear=True, detalle=crear)
        )
    ajeno = Detalle(campos=["descripcion_falla"], descripcion_falla="no es de traslado")
    with pytest.raises(DatosInvalidos):
        await comandos.guardar_detalle(
            pendiente_id, OrdenDetalle(actor=coordinadora, crear=False, detalle=ajeno)
        )
    cambio = Detalle(campos=["direccion_destino"], direccion_destino="Jr. Nuevo 1")
    await comandos.guardar_detalle(
        pendiente_id, OrdenDetalle(actor=coordinadora, crear=False, detalle=cambio)
    )

    assert (await comandos.ejecutar(pendiente_id, Accion.ASIGNAR, asignar)).estado == "ASIGNADO"
    async with sessions() as s:
        traslado = await s.get(m.PendienteTraslado, pendiente_id)
    assert (traslado.lugar_destino, traslado.tipo_servicio, traslado.direccion_destino) == (
        "JULI",
        "CAMARAS",
        "Jr. Nuevo 1",
    )
