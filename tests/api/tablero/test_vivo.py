"""`GET /tablero/vivo`: the board's server-sent events, read with httpx streaming from the real app
behind uvicorn. A change is announced once committed, with the version the API answers; a technician
hears only of their own pendientes (and of one taken from them); heartbeats; the stream ends when the
session stops working; no stream holds a Postgres connection."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time

import httpx
import psycopg
import pytest
import uvicorn
from sqlalchemy import select
from uvicorn.main import main as uvicorn_cli

from api.tablero import vivo
from db import models as m
from infra.config import to_sqlalchemy_url
from ops.run import comando_api
from tests.deploy.test_compose import dockerfile_cmd
from tests.navegador.conftest import servidor_web  # noqa: F401

ESPERA = 10  # seconds an announcement may take


class Flujo:
    """The events of one text/event-stream: `siguiente()` answers {"event", "data", "comentario"}."""

    def __init__(self, respuesta: httpx.Response) -> None:
        self.respuesta = respuesta
        self._lineas = respuesta.aiter_lines()

    async def _bloque(self) -> dict | None:
        bloque: dict = {"event": None, "data": None, "comentario": None}
        vacio = True
        async for linea in self._lineas:
            if linea == "":
                if not vacio:
                    return bloque
                continue
            vacio = False
            campo, _, valor = linea.partition(":")
            valor = valor.removeprefix(" ")
            if campo == "":
                bloque["comentario"] = valor
            elif campo == "data":
                bloque["data"] = json.loads(valor)
            else:
                bloque[campo] = valor
        return None  # the server ended the stream

    async def siguiente(self, espera: float = ESPERA) -> dict | None:
        return await asyncio.wait_for(self._bloque(), espera)

    async def cambios_hasta(self, pendiente_id: int, version: int) -> list[dict]:
        """Every `cambio` until the one of (pendiente_id, version) included; fails if it never comes."""
        vistos = []
        while True:
            bloque = await self.siguiente()
            assert bloque is not None, f"the stream ended before announcing {pendiente_id}@{version}"
            if bloque["event"] == "cambio":
                vistos.append(bloque["data"])
                if bloque["data"] == {"id": pendiente_id, "version": version}:
                    return vistos


@pytest.fixture
async def web(servidor_web):  # noqa: F811
    clientes = []

    def _nuevo() -> httpx.AsyncClient:
        c = httpx.AsyncClient(base_url=servidor_web, timeout=httpx.Timeout(ESPERA, read=None))
        clientes.append(c)
        return c

    yield _nuevo
    for c in clientes:
        await c.aclose()


@contextlib.asynccontextmanager
async def escuchar(cliente: httpx.AsyncClient):
    async with cliente.stream("GET", "/tablero/vivo") as r:
        assert r.status_code == 200, await r.aread()
        assert r.headers["content-type"].startswith("text/event-stream")
        flujo = Flujo(r)
        primero = await flujo.siguiente()  # the stream is registered once its first bytes arrive
        assert primero is not None and primero["comentario"] == "conectado"
        yield flujo


@pytest.fixture
def nuevo_pendiente(http, h, sessions):
    async def _nuevo() -> dict:
        async with sessions() as s:
            cliente = await s.scalar(select(m.Cliente.id).order_by(m.Cliente.id).limit(1))
        cuerpo = {"clienteId": cliente, "tipo": "AVERIA", "lugar": "JULIACA", "prioridad": "MEDIA"}
        cuerpo["detalle"] = {"descripcionFalla": "sin señal"}
        r = await http.post("/api/pendientes", json=cuerpo, headers=h["coordinadora"])
        assert r.status_code == 201, r.text
        return r.json()["data"]

    return _nuevo


async def _accion(http, h, pendiente_id: int, accion: str, rol: str = "coordinadora", **cuerpo) -> dict:
    r = await http.post(
        f"/api/pendientes/{pendiente_id}/acciones/{accion}", json=cuerpo or None, headers=h[rol]
    )
    assert r.status_code == 200, r.text
    return r.json()["data"]


async def test_la_coordinadora_oye_cada_cambio_con_su_version(
    web, ingresar, http, h, nuevo_pendiente, personas
):
    cliente = web()
    await ingresar("coordinadora", cliente)
    async with escuchar(cliente) as flujo:
        creado = await nuevo_pendiente()
        await flujo.cambios_hasta(creado["id"], creado["version"])
        asignado = await _accion(http, h, creado["id"], "asignar", tecnicoId=personas.tecnicos[0].empleado_id)
        assert asignado["version"] > creado["version"]
        await flujo.cambios_hasta(creado["id"], asignado["version"])


async def test_un_tecnico_oye_solo_sus_pendientes_y_el_que_le_quitan(
    web, ingresar, http, h, nuevo_pendiente, personas
):
    edwin, wilber = (t.empleado_id for t in personas.tecnicos[:2])
    cliente = web()
    await ingresar("tecnico", cliente)  # the first technician: Edwin
    async with escuchar(cliente) as flujo:
        ajeno, mio, otro = await nuevo_pendiente(), await nuevo_pendiente(), await nuevo_pendiente()
        await _accion(http, h, ajeno["id"], "asignar", tecnicoId=wilber)
        asignado = await _accion(http, h, mio["id"], "asignar", tecnicoId=edwin)
        oidos = await flujo.cambios_hasta(mio["id"], asignado["version"])
        assert {c["id"] for c in oidos}.isdisjoint({ajeno["id"], otro["id"]}), oidos
        # Given to Wilber: Edwin hears it (the card leaves his board), then nothing more of it.
        quitado = await _accion(http, h, mio["id"], "asignar", tecnicoId=wilber)
        await flujo.cambios_hasta(mio["id"], quitado["version"])
        await _accion(http, h, mio["id"], "cancelar", motivo="ya no es de Edwin")
        senal = await _accion(http, h, otro["id"], "asignar", tecnicoId=edwin)
        oidos = await flujo.cambios_hasta(otro["id"], senal["version"])
        assert mio["id"] not in {c["id"] for c in oidos}, oidos


async def test_un_cambio_rechazado_no_se_anuncia(web, ingresar, http, h, nuevo_pendiente, personas):
    cliente = web()
    await ingresar("coordinadora", cliente)
    async with escuchar(cliente) as flujo:
        creado = await nuevo_pendiente()
        await flujo.cambios_hasta(creado["id"], creado["version"])
        r = await http.post(f"/api/pendientes/{creado['id']}/acciones/finalizar", headers=h["asesor"])
        assert r.status_code == 409, r.text
        asignado = await _accion(http, h, creado["id"], "asignar", tecnicoId=personas.tecnicos[0].empleado_id)
        oidos = await flujo.cambios_hasta(creado["id"], asignado["version"])
        assert [c for c in oidos if c["id"] == creado["id"]] == [
            {"id": creado["id"], "version": asignado["version"]}
        ]


async def test_late_aunque_no_haya_cambios(web, ingresar, monkeypatch):
    monkeypatch.setattr(vivo, "LATIDO", 0.2)
    cliente = web()
    await ingresar("coordinadora", cliente)
    async with escuchar(cliente) as flujo:
        bloque = await flujo.siguiente(espera=3)
        assert bloque is not None and bloque["comentario"] == "latido"


async def test_sin_sesion_no_hay_flujo_sino_el_login(web):
    r = await web().get("/tablero/vivo")
    assert r.status_code == 303 and r.headers["location"].startswith("/tablero/login")


async def test_el_flujo_termina_cuando_la_sesion_deja_de_valer(web, cuenta, http, monkeypatch):
    monkeypatch.setattr(vivo, "LATIDO", 0.1)
    monkeypatch.setattr(vivo, "REVISAR_SESION", 0.3)
    cabecera = await cuenta("VER_TODOS")
    token = cabecera["Authorization"].removeprefix("Bearer ")
    cliente = web()
    cliente.cookies.set("pendientes_sesion", token)
    async with escuchar(cliente) as flujo:
        # Still valid: it keeps beating past a re-check.
        for _ in range(5):
            assert (await flujo.siguiente(espera=3))["comentario"] == "latido"
        cambio = {"passwordActual": "clave-de-prueba-123", "passwordNueva": "otra-clave-de-prueba-456"}
        r = await http.put("/api/usuarios/usuario/password", json=cambio, headers=cabecera)
        assert r.status_code == 200, r.text
        bloques = []
        while (bloque := await flujo.siguiente(espera=5)) is not None:
            bloques.append(bloque)
        assert bloques and bloques[-1]["event"] == "expirada", bloques


async def test_los_flujos_no_retienen_conexiones_y_todos_oyen(app, web, ingresar, http, h, nuevo_pendiente):
    motor = app.state.sessions.kw["bind"]
    async with contextlib.AsyncExitStack() as pila:
        flujos = []
        for _ in range(6):
            cliente = web()
            await ingresar("coordinadora", cliente)
            flujos.append(await pila.enter_async_context(escuchar(cliente)))
        assert vivo.de(app).abiertos >= 6
        assert motor.pool.checkedout() == 0
        creado = await nuevo_pendiente()
        for flujo in flujos:
            await flujo.cambios_hasta(creado["id"], creado["version"])
    # A closed stream leaves the fan-out.
    for _ in range(50):
        if vivo.de(app).abiertos == 0:
            break
        await asyncio.sleep(0.1)
    assert vivo.de(app).abiertos == 0


async def test_si_el_oyente_pierde_postgres_pide_recargar_y_sigue(
    app, settings, web, ingresar, nuevo_pendiente
):
    """The process's listener loses its connection (changes may be missed meanwhile): every stream is
    told to reload, and the announcements go on once it is back."""
    cliente = web()
    await ingresar("coordinadora", cliente)
    async with escuchar(cliente) as flujo:
        url = to_sqlalchemy_url(settings.database_url).replace("postgresql+psycopg://", "postgresql://", 1)
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as pg:
            cortadas = await pg.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()"
            )
            assert len(await cortadas.fetchall()) >= 1
        while (bloque := await flujo.siguiente(espera=15)) is not None and bloque["event"] != "recargar":
            pass
        assert bloque is not None and bloque["event"] == "recargar"
        creado = await nuevo_pendiente()
        await flujo.cambios_hasta(creado["id"], creado["version"])


@pytest.mark.parametrize("origen", ["run", "Dockerfile"])
async def test_un_flujo_abierto_no_retiene_la_parada_del_servidor(app, settings, ingresar, origen):
    """With the uvicorn options of `make run` and of the image, a server asked to stop while a board's
    stream is open stops within seconds (the stream never ends by itself)."""
    comando = comando_api(settings) if origen == "run" else dockerfile_cmd()
    opciones = uvicorn_cli.make_context("uvicorn", comando[comando.index("api.main:app") :]).params
    escucha = socket.socket()
    escucha.bind(("127.0.0.1", 0))
    escucha.listen()
    config = uvicorn.Config(
        app,
        lifespan="off",
        log_level="critical",
        timeout_graceful_shutdown=opciones["timeout_graceful_shutdown"],
    )
    servidor = uvicorn.Server(config)
    tarea = asyncio.create_task(servidor.serve(sockets=[escucha]))
    base = f"http://127.0.0.1:{escucha.getsockname()[1]}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(ESPERA, read=None)) as cliente:
            await ingresar("coordinadora", cliente)
            with contextlib.suppress(httpx.HTTPError):
                async with escuchar(cliente) as flujo:
                    inicio = time.monotonic()
                    servidor.should_exit = True
                    await asyncio.wait_for(asyncio.shield(tarea), 15)
                    assert time.monotonic() - inicio < 10
                    # The browser sees its stream end (and reconnects to the next server).
                    assert await flujo.siguiente(espera=5) is None
    finally:
        servidor.force_exit = servidor.should_exit = True
        await asyncio.wait_for(tarea, 15)
        escucha.close()


async def test_la_pagina_de_un_pendiente_oye_solo_ese_pendiente(
    web, ingresar, http, h, nuevo_pendiente, personas
):
    edwin = personas.tecnicos[0].empleado_id
    cliente = web()
    await ingresar("coordinadora", cliente)
    suyo, otro = await nuevo_pendiente(), await nuevo_pendiente()
    async with cliente.stream("GET", f"/tablero/vivo?id={suyo['id']}") as r:
        assert r.status_code == 200, await r.aread()
        flujo = Flujo(r)
        assert (await flujo.siguiente())["comentario"] == "conectado"
        await _accion(http, h, otro["id"], "asignar", tecnicoId=edwin)
        asignado = await _accion(http, h, suyo["id"], "asignar", tecnicoId=edwin)
        assert await flujo.cambios_hasta(suyo["id"], asignado["version"]) == [
            {"id": suyo["id"], "version": asignado["version"]}
        ]
