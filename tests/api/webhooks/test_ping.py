"""POST /api/webhooks/{id}/ping against a real receiver on loopback: signed as Standard Webhooks says
(checked here with hmac, not with our signing code), in the subscription's format, the receiver's answer
reported (down, failing, redirecting included), and the previous secret signing too after a rotation."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from datetime import datetime, timedelta

from tests.api.webhooks.conftest import AISLADO, CAIDO, verifica


async def ping(http, h, webhook_id: int) -> dict:
    r = await http.post(f"/api/webhooks/{webhook_id}/ping", headers=h["administrador"])
    assert r.status_code == 200, r.text
    return r.json()["data"]


async def test_ping_firmado_en_el_formato_propio(http, h, suscribir, receptor):
    webhook = await suscribir(receptor.url, **AISLADO)
    resultado = await ping(http, h, webhook["id"])
    assert resultado["entregado"] is True and resultado["status"] == 200
    assert resultado["respuesta"] == '{"ok": true}' and resultado["error"] is None
    assert resultado["latenciaMs"] >= 0

    [(cabeceras, cuerpo)] = receptor.recibidos
    assert cabeceras["webhook-id"] == resultado["eventoId"] and cabeceras["webhook-id"].startswith("evt_")
    assert abs(int(cabeceras["webhook-timestamp"]) - datetime.now().timestamp()) < 60
    assert cabeceras["webhook-signature"].count("v1,") == 1
    assert verifica(webhook["secreto"], cabeceras, cuerpo)
    assert not verifica(webhook["secreto"], cabeceras, cuerpo + b" ")
    evento = json.loads(cuerpo)
    assert evento["tipo"] == "webhook.ping" and evento["id"] == resultado["eventoId"]
    assert evento["datos"]["webhookId"] == webhook["id"]


async def test_ping_en_formato_persat(http, h, suscribir, receptor):
    webhook = await suscribir(receptor.url, formato="persat", **AISLADO)
    await ping(http, h, webhook["id"])
    [(cabeceras, cuerpo)] = receptor.recibidos
    evento = json.loads(cuerpo)
    assert evento["eventType"] == "webhook.ping" and "payload" in evento
    assert verifica(webhook["secreto"], cabeceras, cuerpo)


async def test_rotacion_firma_con_los_dos_secretos_durante_la_gracia(http, h, suscribir, receptor, settings):
    webhook = await suscribir(receptor.url, **AISLADO)
    viejo = webhook["secreto"]
    r = await http.post(f"/api/webhooks/{webhook['id']}/rotar-secreto", headers=h["administrador"])
    assert r.status_code == 200, r.text
    nuevo = r.json()["data"]["secreto"]
    assert nuevo.startswith("whsec_") and nuevo != viejo
    vence = datetime.fromisoformat(r.json()["data"]["anteriorVenceEn"])
    esperado = datetime.now().astimezone() + timedelta(hours=settings.webhook_gracia_rotacion_horas)
    assert abs((vence - esperado).total_seconds()) < 60 and vence.isoformat().endswith("-05:00")

    leido = await http.get(f"/api/webhooks/{webhook['id']}", headers=h["administrador"])
    assert nuevo not in leido.text and viejo not in leido.text
    assert leido.json()["data"]["anteriorVenceEn"] == r.json()["data"]["anteriorVenceEn"]

    await ping(http, h, webhook["id"])
    [(cabeceras, cuerpo)] = receptor.recibidos
    firmas = cabeceras["webhook-signature"].split(" ")
    assert len(firmas) == 2 and all(f.startswith("v1,") for f in firmas)
    assert verifica(viejo, cabeceras, cuerpo) and verifica(nuevo, cabeceras, cuerpo)
    # Each secret matches exactly one of the two signatures.
    for secreto in (viejo, nuevo):
        assert sum(verifica(secreto, cabeceras | {"webhook-signature": f}, cuerpo) for f in firmas) == 1


async def test_sin_gracia_solo_firma_el_nuevo(http, h, suscribir, receptor, settings, monkeypatch):
    monkeypatch.setattr(settings, "webhook_gracia_rotacion_horas", 0)
    webhook = await suscribir(receptor.url, **AISLADO)
    r = await http.post(f"/api/webhooks/{webhook['id']}/rotar-secreto", headers=h["administrador"])
    nuevo = r.json()["data"]["secreto"]
    assert r.json()["data"]["anteriorVenceEn"] is None
    await ping(http, h, webhook["id"])
    [(cabeceras, cuerpo)] = receptor.recibidos
    assert verifica(nuevo, cabeceras, cuerpo) and not verifica(webhook["secreto"], cabeceras, cuerpo)


async def test_receptor_caido_es_una_respuesta_no_un_error(http, h, suscribir):
    webhook = await suscribir(CAIDO)
    resultado = await ping(http, h, webhook["id"])
    assert resultado["entregado"] is False and resultado["status"] is None
    assert resultado["error"] and resultado["respuesta"] is None


async def test_receptor_que_falla_con_respuesta_larga_y_redireccion(http, h, suscribir, receptor):
    webhook = await suscribir(receptor.url, **AISLADO)
    receptor.status, receptor.cuerpo = 500, b"x" * 50_000
    resultado = await ping(http, h, webhook["id"])
    assert resultado["entregado"] is False and resultado["status"] == 500
    assert resultado["respuesta"] == "x" * 1000

    # A redirect is reported, never followed (it could point anywhere, metadata services included).
    receptor.status, receptor.cuerpo = 302, b""
    receptor.cabeceras_extra = {"location": "http://169.254.169.254/latest/meta-data/"}
    resultado = await ping(http, h, webhook["id"])
    assert resultado["status"] == 302 and resultado["entregado"] is False
    assert len(receptor.recibidos) == 2


async def test_ping_de_un_webhook_eliminado_es_404(http, h, suscribir):
    webhook = await suscribir()
    await http.delete(f"/api/webhooks/{webhook['id']}", headers=h["administrador"])
    r = await http.post(f"/api/webhooks/{webhook['id']}/ping", headers=h["administrador"])
    assert r.status_code == 404


async def test_un_receptor_que_gotea_su_respuesta_no_retiene_el_ping(
    http, h, suscribir, settings, monkeypatch
):
    # Headers at once, then one byte every 0.3 s for 12 s: each read is quick, the whole is not.
    async def gotear(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 40\r\n\r\n")
            for _ in range(40):
                writer.write(b"x")
                await writer.drain()
                await asyncio.sleep(0.3)
        writer.close()

    servidor = await asyncio.start_server(gotear, "127.0.0.1", 0)
    puerto = servidor.sockets[0].getsockname()[1]
    monkeypatch.setattr(settings, "webhook_timeout_segundos", 2.0)
    try:
        webhook = await suscribir(f"http://127.0.0.1:{puerto}/hook", **AISLADO)
        inicio = time.monotonic()
        resultado = await ping(http, h, webhook["id"])
        duracion = time.monotonic() - inicio
    finally:
        servidor.close()
    assert resultado["entregado"] is False and resultado["error"] == "sin respuesta en 2 s", resultado
    assert duracion < 6, duracion
