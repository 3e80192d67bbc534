"""A webhook receiver on 127.0.0.1 for the delivery tests: a bare asyncio HTTP/1.1 server that records
every request and answers what a script says (a status, or silence longer than the sender's timeout),
and a Standard Webhooks signature check written from the specification's text (not its package)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# What the script answers: an HTTP status, or ("colgar", seconds) to keep the connection silent.
Respuesta = int | tuple[str, float]


@dataclass
class Peticion:
    cabeceras: dict[str, str]
    cuerpo: str
    momento: float
    status: int | None = None  # None: the receiver stayed silent

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.cuerpo)

    @property
    def id(self) -> str:
        return self.cabeceras["webhook-id"]


@dataclass
class Receptor:
    # (the request, how many earlier requests carried the same webhook-id) -> the answer
    guion: Callable[[Peticion, int], Respuesta] = lambda p, n: 200
    peticiones: list[Peticion] = field(default_factory=list)
    puerto: int = 0

    async def __aenter__(self) -> Receptor:
        self._servidor = await asyncio.start_server(self._atender, "127.0.0.1", 0)
        self.puerto = self._servidor.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_) -> None:
        self._servidor.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.puerto}/hook"

    def aceptadas(self) -> list[Peticion]:
        return [p for p in self.peticiones if p.status is not None and 200 <= p.status < 300]

    async def _atender(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            cabeza = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            cabeceras = {}
            for linea in cabeza[1:]:
                if ":" in linea:
                    nombre, valor = linea.split(":", 1)
                    cabeceras[nombre.strip().lower()] = valor.strip()
            cuerpo = await reader.readexactly(int(cabeceras.get("content-length", "0")))
            peticion = Peticion(cabeceras, cuerpo.decode(), time.monotonic())
            previas = sum(
                1 for p in self.peticiones if p.cabeceras.get("webhook-id") == cabeceras.get("webhook-id")
            )
            self.peticiones.append(peticion)
            respuesta = self.guion(peticion, previas)
            if isinstance(respuesta, tuple):
                await asyncio.sleep(respuesta[1])
                return
            peticion.status = respuesta
            texto = f'{{"recibido": "{peticion.id}", "status": {respuesta}}}'.encode()
            cabeza = f"HTTP/1.1 {respuesta} X\r\ncontent-type: application/json\r\n"
            cabeza += f"content-length: {len(texto)}\r\nconnection: close\r\n\r\n"
            writer.write(cabeza.encode() + texto)
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def firma_valida(secreto: str, cabeceras: dict[str, str], cuerpo: str, tolerancia: float = 300) -> bool:
    """Standard Webhooks: the secret is `whsec_` + base64 of the key; the signature is `v1,` + base64 of
    HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>"); several may come, space-separated; the
    timestamp must be recent."""
    clave = base64.b64decode(secreto.removeprefix("whsec_"))
    firmado = f"{cabeceras['webhook-id']}.{cabeceras['webhook-timestamp']}.{cuerpo}".encode()
    esperada = "v1," + base64.b64encode(hmac.new(clave, firmado, hashlib.sha256).digest()).decode()
    reciente = abs(time.time() - int(cabeceras["webhook-timestamp"])) < tolerancia
    return reciente and any(
        hmac.compare_digest(f, esperada) for f in cabeceras["webhook-signature"].split(" ")
    )


async def apartar_lo_anterior(sessions) -> None:
    """Before a test starts a relay: the events earlier tests left in the outbox are marked handed out and
    their subscriptions (receivers long gone) disabled, so the relay works only for this test's. Without
    it a relay started late in the suite would first deliver thousands of old events to dead receivers."""
    from sqlalchemy import func, update

    from db import models as m

    async with sessions.begin() as s:
        pendientes = update(m.Evento).where(m.Evento.despachado_en.is_(None))
        await s.execute(pendientes.values(despachado_en=func.now()))
        await s.execute(update(m.Webhook).where(m.Webhook.activo.is_(True)).values(activo=False))
