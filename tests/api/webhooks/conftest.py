"""Helpers for the webhooks tests: subscriptions made over HTTP by the administrator, a receiver on
loopback that records what it gets and answers what a test asks, an independent check of Standard
Webhooks signatures, and delivery-log rows inserted directly (the engine that writes them is not
what these tests are about)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from db import models as m
from tests.activities.receptor import apartar_lo_anterior

# Nothing listens on the discard port of loopback: a receiver that is down.
CAIDO = "http://127.0.0.1:9/webhook"
# A subscription no real event reaches (a client's event never passes a pendiente filter), so the events
# other tests write, relayed by the engine meanwhile, never land in a log or a receiver a test counts.
AISLADO = {"eventos": ["cliente.eliminado"], "filtro": {"tipos": ["AVERIA"]}}


def verifica(secreto: str, cabeceras: dict[str, str], cuerpo: bytes) -> bool:
    """Whether one of the `v1,` signatures of `webhook-signature` is the HMAC-SHA256, keyed with the
    secret's base64-decoded bytes, of `id.timestamp.body` (written from the spec, not from our code)."""
    clave = base64.b64decode(secreto.removeprefix("whsec_"))
    firmado = f"{cabeceras['webhook-id']}.{cabeceras['webhook-timestamp']}.".encode() + cuerpo
    esperada = base64.b64encode(hmac.new(clave, firmado, hashlib.sha256).digest()).decode()
    firmas = [f.removeprefix("v1,") for f in cabeceras["webhook-signature"].split(" ") if f.startswith("v1,")]
    return any(hmac.compare_digest(esperada, f) for f in firmas)


@dataclass
class Receptor:
    url: str
    recibidos: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    status: int = 200
    cuerpo: bytes = b'{"ok": true}'
    cabeceras_extra: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def receptor():
    """An HTTP receiver on 127.0.0.1 (a thread), recording each POST and answering `status`/`cuerpo`."""
    estado = Receptor(url="")

    class Manejador(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            largo = int(self.headers.get("content-length", 0))
            cuerpo = self.rfile.read(largo)
            estado.recibidos.append(({k.lower(): v for k, v in self.headers.items()}, cuerpo))
            self.send_response(estado.status)
            for nombre, valor in estado.cabeceras_extra.items():
                self.send_header(nombre, valor)
            self.send_header("content-length", str(len(estado.cuerpo)))
            self.end_headers()
            self.wfile.write(estado.cuerpo)

        def log_message(self, *args):
            pass

    servidor = ThreadingHTTPServer(("127.0.0.1", 0), Manejador)
    hilo = threading.Thread(target=servidor.serve_forever, daemon=True)
    hilo.start()
    estado.url = f"http://127.0.0.1:{servidor.server_address[1]}/webhook"
    try:
        yield estado
    finally:
        servidor.shutdown()
        servidor.server_close()


@pytest.fixture
def suscribir(http, h):
    """Factory: a new subscription made by the administrator; returns its answer's `data` (with the
    secret, shown only there)."""

    async def _suscribir(url: str = CAIDO, **extra) -> dict:
        r = await http.post("/api/webhooks", json={"url": url, **extra}, headers=h["administrador"])
        assert r.status_code == 201, r.text
        return r.json()["data"]

    return _suscribir


@dataclass
class Intento:
    numero: int
    hace: timedelta
    status: int | None
    error: str | None = None


@pytest.fixture
def entregar(sessions):
    """Factory: one event of the outbox (already dispatched, so no relay picks it up) and its delivery to
    a subscription, created `hace` ago, in `estado`, with the attempts given; returns (entrega id, evt id)."""

    async def _entregar(
        webhook_id: int,
        estado: str,
        hace: timedelta = timedelta(minutes=10),
        intentos: list[Intento] = (),
        clave: str | None = None,
        tipo: str = "pendiente.creado",
    ) -> tuple[int, str]:
        async with sessions() as s:
            ahora = await s.scalar(select(func.now()))
            creada = ahora - hace
            evento = m.Evento(
                id=f"evt_{uuid.uuid4().hex}",
                tipo=tipo,
                pendiente_id=None,
                fecha=creada,
                datos={"prueba": True},
                despachado_en=creada,
            )
            s.add(evento)
            await s.flush()
            entrega = m.Entrega(
                webhook_id=webhook_id,
                evento_numero=evento.numero,
                clave=clave or f"pendiente-{uuid.uuid4().int % 10**6}",
                estado=estado,
                intentos=len(intentos),
                ultimo_status=intentos[-1].status if intentos else None,
                entregada_en=ahora if estado == "ENTREGADA" else None,
                fecha_creacion=creada,
            )
            s.add(entrega)
            await s.flush()
            for i in intentos:
                s.add(
                    m.IntentoEntrega(
                        entrega_id=entrega.id,
                        numero=i.numero,
                        fecha=ahora - i.hace,
                        status=i.status,
                        latencia_ms=12,
                        respuesta="error interno" if i.status else None,
                        error=i.error,
                    )
                )
            await s.commit()
            return entrega.id, evento.id

    return _entregar


@pytest.fixture(autouse=True, scope="module")
async def sin_suscripciones_sobrantes(sessions):
    """The subscriptions these tests make point at receivers that close with them: disabled afterwards,
    so that a relay a later test starts does not deliver the whole suite's events to them."""
    yield
    await apartar_lo_anterior(sessions)
