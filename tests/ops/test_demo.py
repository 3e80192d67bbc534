"""The demo `make run` loads covers every state and every network sub-state, fills the catálogos, and
gives the ids the README's examples name (issue 10: no CANCELADO, empty catálogos, examples failing)."""

from __future__ import annotations

from sqlalchemy import func, select

from db import models as m
from domain.enums import EstadoPendiente, EstadoTecnico, TipoPendiente

# The README's table of demo pendientes, by id (a fresh database): five of each row, one per type.
ESTADOS_POR_ID = {
    range(1, 6): "REGISTRADO",
    range(6, 11): "ASIGNADO",
    range(11, 31): "EN_PROGRESO",
    range(31, 36): "PAUSADO",
    range(36, 41): "REVISION",
    range(41, 46): "POR_VALIDAR",
    range(46, 51): "OBSERVADO",
    range(51, 56): "FINALIZADO",
    range(56, 61): "POSTERGADO",
    range(61, 66): "CANCELADO",
}
TIPOS = ["AVERIA", "INSTALACION_INTERNET", "INSTALACION_CAMARAS", "RECOJO_DISPOSITIVOS", "TRASLADO"]
# Network requests of rows 16-30, on the three network-capable types (the other two stay OK).
TECNICO_POR_ID = {
    16: "PENDIENTE_PPPoE", 17: "PENDIENTE_PPPoE", 20: "PENDIENTE_PPPoE",
    21: "PENDIENTE_VLAN", 22: "PENDIENTE_VLAN", 25: "PENDIENTE_VLAN",
    26: "PENDIENTE_PPPoE_Y_VLAN", 27: "PENDIENTE_PPPoE_Y_VLAN", 30: "PENDIENTE_PPPoE_Y_VLAN",
}  # fmt: skip


async def _pendientes(demo_cargada) -> list[m.Pendiente]:
    async with demo_cargada.sessions() as s:
        return list(await s.scalars(select(m.Pendiente).order_by(m.Pendiente.id)))


async def test_every_estado_and_every_estado_tecnico_is_in_the_demo(demo_cargada):
    pendientes = await _pendientes(demo_cargada)
    assert {p.estado for p in pendientes} == set(EstadoPendiente)
    assert {p.estado_tecnico for p in pendientes} == set(EstadoTecnico)
    assert {p.tipo for p in pendientes} == set(TipoPendiente)


async def test_the_demo_pendientes_have_the_ids_the_readme_names(demo_cargada):
    pendientes = await _pendientes(demo_cargada)
    assert [p.id for p in pendientes] == list(range(1, 66))
    for p in pendientes:
        (estado,) = [estado for ids, estado in ESTADOS_POR_ID.items() if p.id in ids]
        assert (p.id, p.estado) == (p.id, estado)
        assert (p.id, p.tipo) == (p.id, TIPOS[(p.id - 1) % 5])
        assert (p.id, p.estado_tecnico) == (p.id, TECNICO_POR_ID.get(p.id, "OK"))
        # the two demo technicians take turns: odd ids are Edwin's (empleado 6), even ids Wilber's (7)
        if p.estado not in ("REGISTRADO", "POSTERGADO", "CANCELADO"):
            assert (p.id, p.asignado_a) == (p.id, 6 if p.id % 2 else 7)


async def test_every_catalogo_has_products(demo_cargada):
    async with demo_cargada.sessions() as s:
        consulta = (
            select(m.Catalogo.nombre, func.count(m.CatalogoProducto.id))
            .outerjoin(m.CatalogoProducto, m.CatalogoProducto.catalogo_id == m.Catalogo.id)
            .group_by(m.Catalogo.nombre)
        )
        productos = dict((await s.execute(consulta)).all())
        tipos = set(await s.scalars(select(m.Catalogo.tipo)))
    assert len(productos) >= 4 and all(n > 0 for n in productos.values()), productos
    assert {"INTERNET", "CAMARAS", "KIT", "SERVICIO"} <= tipos


async def test_loading_the_demo_again_changes_nothing(demo_cargada):
    from ops.demo import cargar_demo

    antes = [(p.id, p.estado, p.seq) for p in await _pendientes(demo_cargada)]
    async with demo_cargada.sessions() as s:
        filas = await s.scalar(select(func.count()).select_from(m.CatalogoProducto))
    await cargar_demo(demo_cargada.sessions, demo_cargada.comandos)
    assert [(p.id, p.estado, p.seq) for p in await _pendientes(demo_cargada)] == antes
    async with demo_cargada.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(m.CatalogoProducto)) == filas


async def test_the_demo_has_repeating_work_orders_with_their_schedules(demo_cargada, temporal_propio):
    from ops.demo import cargar_repetitivos

    async with demo_cargada.sessions() as s:
        filas = list(await s.scalars(select(m.Repetitivo).order_by(m.Repetitivo.id)))
    assert [(r.id, r.nombre) for r in filas] == [
        (1, "Mantenimiento mensual de cámaras"),
        (2, "Revisión quincenal del enlace"),
    ]
    assert filas[0].tecnico_id == 6 and filas[0].dias_mes == [5]
    for r in filas:
        descripcion = await temporal_propio.client.get_schedule_handle(f"repetitivo-{r.id}").describe()
        assert not descripcion.schedule.state.paused and descripcion.info.next_action_times
    # Loading them again adds none.
    from infra.programas import Programas

    comandos = demo_cargada.comandos
    await cargar_repetitivos(demo_cargada.sessions, Programas(comandos.client, comandos.task_queue))
    async with demo_cargada.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(m.Repetitivo)) == 2
