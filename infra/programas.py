"""The Temporal Schedule of each repeating work order (`repetitivo-<id>`): its calendar spec built from
the rule, and the calls the API makes on it. Every failure to reach Temporal is NoDisponible (503).

- DIARIA and SEMANAL are interval specs: every `cada` days (or `cada` × 7 days, one spec per weekday),
  with the offset that puts them at `hora` Lima time, counted from `fechaInicio` (weeks from its
  Monday). Lima has no DST, so fixed intervals keep the hour forever.
- MENSUAL is a calendar spec in America/Lima (a day a month does not have is skipped that month).
- Overlap ALLOW_ALL: an occurrence still running (e.g. the worker is down) must not make the Schedule
  skip the next one. Catch-up window of 7 days: occurrences missed while the Temporal server was down
  run when it is back, up to a week late.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleHandle,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleState,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.service import RPCError, RPCStatusCode

from contrato import nombres
from domain.errores import NoDisponible
from domain.repetitivos import Frecuencia, Regla
from domain.zona import LIMA, NOMBRE

EPOCA = datetime(1970, 1, 1, tzinfo=UTC)
ATRASO_MAXIMO = timedelta(days=7)
T = TypeVar("T")


def _inicio_del_dia(dia: date) -> datetime:
    return datetime.combine(dia, time.min, LIMA)


def _intervalo(primera: datetime, cada: timedelta) -> ScheduleIntervalSpec:
    """Every `cada`, at the instants `primera` + k·cada (Temporal aligns intervals on the Unix epoch)."""
    return ScheduleIntervalSpec(every=cada, offset=(primera - EPOCA) % cada)


def espec(regla: Regla) -> ScheduleSpec:
    """The Schedule's spec for a rule: nothing before `fechaInicio` nor after `fechaFin` (Lima days)."""
    fin = None
    if regla.fecha_fin is not None:
        fin = _inicio_del_dia(regla.fecha_fin + timedelta(days=1)) - timedelta(seconds=1)
    intervalos: list[ScheduleIntervalSpec] = []
    calendarios: list[ScheduleCalendarSpec] = []
    if regla.frecuencia is Frecuencia.DIARIA:
        primera = datetime.combine(regla.fecha_inicio, regla.hora, LIMA)
        intervalos.append(_intervalo(primera, timedelta(days=regla.cada)))
    elif regla.frecuencia is Frecuencia.SEMANAL:
        lunes = regla.fecha_inicio - timedelta(days=regla.fecha_inicio.weekday())
        for dia in regla.dias_semana:
            primera = datetime.combine(lunes + timedelta(days=dia), regla.hora, LIMA)
            intervalos.append(_intervalo(primera, timedelta(weeks=regla.cada)))
    else:
        calendarios.append(
            ScheduleCalendarSpec(
                second=[ScheduleRange(0)],
                minute=[ScheduleRange(regla.hora.minute)],
                hour=[ScheduleRange(regla.hora.hour)],
                day_of_month=[ScheduleRange(d) for d in regla.dias_mes],
            )
        )
    return ScheduleSpec(
        intervals=intervalos,
        calendars=calendarios,
        start_at=_inicio_del_dia(regla.fecha_inicio),
        end_at=fin,
        time_zone_name=NOMBRE,
    )


@dataclass(frozen=True)
class Plantilla:
    """What the Schedule shows of its template in the Temporal UI."""

    repetitivo_id: int
    nombre: str
    regla: Regla
    pausado: bool = False
    nota: str | None = None

    def resumen(self) -> str:
        return f"repetitivo {self.repetitivo_id}: {self.nombre}"


def programa(plantilla: Plantilla, task_queue: str) -> Schedule:
    accion = ScheduleActionStartWorkflow(
        nombres.FLUJO_OCURRENCIA,
        plantilla.repetitivo_id,
        id=f"{nombres.programa_repetitivo(plantilla.repetitivo_id)}-ocurrencia",
        task_queue=task_queue,
        static_summary=plantilla.resumen(),
    )
    return Schedule(
        action=accion,
        spec=espec(plantilla.regla),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.ALLOW_ALL, catchup_window=ATRASO_MAXIMO),
        state=ScheduleState(paused=plantilla.pausado, note=plantilla.nota or plantilla.resumen()),
    )


class Programas:
    """The Schedules of the repeating work orders, on one client and task queue."""

    def __init__(self, client: Client, task_queue: str, timeout: timedelta = timedelta(seconds=10)) -> None:
        self._client = client
        self._task_queue = task_queue
        self._timeout = timeout

    async def _llamar(self, llamada: Awaitable[T]) -> T:
        try:
            return await llamada
        except RPCError:
            raise NoDisponible("el motor de flujos no está disponible; reintente") from None

    async def crear(self, plantilla: Plantilla) -> None:
        """Create the Schedule, or replace the one left with this id (a retry after a lost answer)."""
        pid = nombres.programa_repetitivo(plantilla.repetitivo_id)
        nuevo = programa(plantilla, self._task_queue)
        try:
            await self._llamar(
                self._client.create_schedule(
                    pid,
                    nuevo,
                    memo={"repetitivo": plantilla.repetitivo_id, "nombre": plantilla.nombre},
                    rpc_timeout=self._timeout,
                )
            )
        except ScheduleAlreadyRunningError:
            await self._llamar(
                self._client.get_schedule_handle(pid).update(
                    lambda _: ScheduleUpdate(schedule=nuevo), rpc_timeout=self._timeout
                )
            )

    async def actualizar(self, plantilla: Plantilla) -> None:
        """Bring the Schedule's spec and summary in line with the template; its paused state and note
        stay as they are. A Schedule deleted behind our back (the Temporal UI) is created again."""
        nuevo = programa(plantilla, self._task_queue)

        def cambiar(entrada: ScheduleUpdateInput) -> ScheduleUpdate:
            nuevo.state = entrada.description.schedule.state
            return ScheduleUpdate(schedule=nuevo)

        await self._en_programa(plantilla, lambda h: h.update(cambiar, rpc_timeout=self._timeout))

    async def pausar_o_reanudar(self, plantilla: Plantilla) -> None:
        """Pause (plantilla.pausado) or resume the Schedule with the template's note. Idempotent."""

        async def cambiar(handle: ScheduleHandle) -> None:
            if plantilla.pausado:
                await handle.pause(note=plantilla.nota, rpc_timeout=self._timeout)
            else:
                await handle.unpause(note=plantilla.nota, rpc_timeout=self._timeout)

        await self._en_programa(plantilla, cambiar)

    async def _en_programa(
        self, plantilla: Plantilla, cambio: Callable[[ScheduleHandle], Awaitable[None]]
    ) -> None:
        handle = self._client.get_schedule_handle(nombres.programa_repetitivo(plantilla.repetitivo_id))
        try:
            await cambio(handle)
        except RPCError as error:
            if error.status is not RPCStatusCode.NOT_FOUND:
                raise NoDisponible("el motor de flujos no está disponible; reintente") from None
            await self.crear(plantilla)

    async def borrar(self, repetitivo_id: int) -> None:
        handle = self._client.get_schedule_handle(nombres.programa_repetitivo(repetitivo_id))
        try:
            await handle.delete(rpc_timeout=self._timeout)
        except RPCError as error:
            if error.status is not RPCStatusCode.NOT_FOUND:  # already gone: that is what we want
                raise NoDisponible("el motor de flujos no está disponible; reintente") from None

    async def proximas(self, repetitivo_id: int, cuantas: int) -> list[datetime] | None:
        """The next planned instants (Temporal's own computation); None if Temporal cannot say now."""
        handle = self._client.get_schedule_handle(nombres.programa_repetitivo(repetitivo_id))
        with contextlib.suppress(RPCError):
            descripcion = await handle.describe(rpc_timeout=self._timeout)
            if descripcion.schedule.state.paused:
                return []
            return list(descripcion.info.next_action_times[:cuantas])
        return None
