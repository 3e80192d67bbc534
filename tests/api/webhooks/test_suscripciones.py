"""/api/webhooks subscriptions over HTTP: the secret answered once and kept encrypted, the SSRF refusals,
ADMINISTRAR only, partial edits, soft delete."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from db import models as m
from infra.seguridad import Cifrador
from tests.api.webhooks.conftest import CAIDO


def campo(r) -> str:
    return r.json()["data"]["campo"]


async def test_crear_responde_el_secreto_una_sola_vez(http, h, sessions, settings, caplog):
    caplog.set_level(logging.DEBUG)
    cuerpo = {
        "url": CAIDO,
        "eventos": ["pendiente.creado", "pendiente.finalizado", "pendiente.creado"],
        "filtro": {"tipos": ["AVERIA"], "lugares": ["PUNO", "JULIACA"]},
        "descripcion": "ERP",
    }
    r = await http.post("/api/webhooks", json=cuerpo, headers=h["administrador"])
    assert r.status_code == 201, r.text
    creado = r.json()["data"]
    secreto = creado["secreto"]
    assert secreto.startswith("whsec_") and len(secreto) > 30
    assert creado["eventos"] == ["pendiente.creado", "pendiente.finalizado"]
    assert creado["filtro"] == {"tipos": ["AVERIA"], "lugares": ["PUNO", "JULIACA"]}
    assert creado["activo"] is True and creado["formato"] == "pendientes"
    assert creado["fechaCreacion"].endswith("-05:00")

    uno = await http.get(f"/api/webhooks/{creado['id']}", headers=h["administrador"])
    lista = await http.get("/api/webhooks?size=100&sort=id,desc", headers=h["administrador"])
    assert uno.status_code == lista.status_code == 200
    assert "secreto" not in uno.json()["data"]
    assert secreto not in uno.text and secreto not in lista.text
    assert creado["id"] in [w["id"] for w in lista.json()["data"]["content"]]
    # Stored only encrypted, with the installation's key.
    async with sessions() as s:
        fila = await s.get(m.Webhook, creado["id"])
    assert secreto not in fila.secreto_cifrado
    assert Cifrador(settings.secrets_key.get_secret_value()).descifrar(fila.secreto_cifrado) == secreto
    assert secreto not in caplog.text
    assert all(secreto not in str(registro.args) for registro in caplog.records)


async def test_eventos_desconocidos_o_vacios_son_422_que_nombra_eventos(http, h):
    for eventos in (["pendiente.creado", "pendiente.inventado"], [], "pendiente.creado", ["webhook.ping"]):
        r = await http.post(
            "/api/webhooks", json={"url": CAIDO, "eventos": eventos}, headers=h["administrador"]
        )
        assert r.status_code == 422, (eventos, r.text)
        assert campo(r) == "eventos"
    r = await http.post("/api/webhooks", json={"url": CAIDO, "eventos": ["x.y"]}, headers=h["administrador"])
    assert "x.y" in r.json()["data"]["errores"][0]["mensaje"]


async def test_sin_eventos_recibe_todos_y_un_campo_desconocido_es_422(http, h, suscribir):
    assert (await suscribir())["eventos"] is None
    assert (await suscribir(eventos=None))["eventos"] is None
    r = await http.post("/api/webhooks", json={"url": CAIDO, "evento": ["x"]}, headers=h["administrador"])
    assert r.status_code == 422 and campo(r) == "evento"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://127.0.0.1/entregas",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/webhook",
        "http://[::ffff:169.254.169.254]/",
        "http://usuario:clave@127.0.0.1/webhook",
        "file:///etc/passwd",
        "http://a..b.example/webhook",  # IDNA refuses the empty label: a 422, never a 500
        "http://[2002:a9fe:a9fe::]/",  # 6to4 of the metadata address
    ],
)
async def test_urls_prohibidas_siempre(http, h, url):
    r = await http.post("/api/webhooks", json={"url": url}, headers=h["administrador"])
    assert r.status_code == 422, r.text
    assert campo(r) == "url" and "url no permitida" in r.json()["message"]


async def test_privadas_y_loopback_segun_la_configuracion(http, h, settings, suscribir, monkeypatch):
    # Tests (as development) allow them; a production installation refuses them unless set.
    assert (await suscribir("http://127.0.0.1:8080/x"))["url"] == "http://127.0.0.1:8080/x"
    assert (await suscribir("http://10.0.0.7/x"))["url"] == "http://10.0.0.7/x"
    assert (await suscribir("http://[::1]:8080/x"))["url"] == "http://[::1]:8080/x"
    monkeypatch.setattr(settings, "webhooks_permitir_privadas", False)
    privadas = ("http://127.0.0.1:8080/x", "http://10.0.0.7/x", "http://[::1]/x", "http://localhost/x")
    for url in (*privadas, "http://100.64.12.7/x"):  # carrier-grade NAT: the ISP's own network
        r = await http.post("/api/webhooks", json={"url": url}, headers=h["administrador"])
        assert r.status_code == 422 and campo(r) == "url", (url, r.text)
        assert "privada" in r.json()["message"]


async def test_solo_administrar(http, h, suscribir):
    webhook = await suscribir()
    for rol in ("coordinadora", "tecnico", "red"):
        for metodo, ruta, cuerpo in (
            ("GET", "/api/webhooks", None),
            ("POST", "/api/webhooks", {"url": CAIDO}),
            ("GET", f"/api/webhooks/{webhook['id']}", None),
            ("PATCH", f"/api/webhooks/{webhook['id']}", {"activo": False}),
            ("DELETE", f"/api/webhooks/{webhook['id']}", None),
            ("POST", f"/api/webhooks/{webhook['id']}/rotar-secreto", None),
            ("GET", f"/api/webhooks/{webhook['id']}/entregas", None),
            ("POST", f"/api/webhooks/{webhook['id']}/ping", None),
            (
                "POST",
                f"/api/webhooks/{webhook['id']}/reenviar",
                {"desde": "2026-01-01", "hasta": "2026-02-01"},
            ),
        ):
            r = await http.request(metodo, ruta, json=cuerpo, headers=h[rol])
            assert r.status_code == 403, (rol, metodo, ruta, r.text)
            assert "ADMINISTRAR" in r.json()["message"]
    assert (await http.get("/api/webhooks")).status_code == 401
    r = await http.get(f"/api/webhooks/{webhook['id']}", headers=h["administrador"])
    assert r.json()["data"]["activo"] is True  # nothing changed


async def test_patch_parcial(http, h, suscribir, sessions, settings, monkeypatch):
    webhook = await suscribir(
        eventos=["pago.registrado"], filtro={"tipos": ["AVERIA"]}, descripcion="CRM", formato="persat"
    )
    ruta, admin = f"/api/webhooks/{webhook['id']}", h["administrador"]

    r = await http.patch(ruta, json={"descripcion": "CRM nuevo"}, headers=admin)
    assert r.status_code == 200, r.text
    datos = r.json()["data"]
    assert datos["descripcion"] == "CRM nuevo"
    assert (datos["url"], datos["eventos"], datos["formato"]) == (CAIDO, ["pago.registrado"], "persat")
    assert datos["filtro"] == {"tipos": ["AVERIA"], "lugares": None}
    assert datos["fechaModificacion"] is not None

    r = await http.patch(ruta, json={"eventos": None, "filtro": None, "formato": "pendientes"}, headers=admin)
    datos = r.json()["data"]
    assert (datos["eventos"], datos["filtro"], datos["formato"]) == (None, None, "pendientes")
    assert datos["descripcion"] == "CRM nuevo"

    for cuerpo, nombre in (
        ({"url": None}, "url"),
        ({"activo": None}, "activo"),
        ({"eventos": ["no"]}, "eventos"),
    ):
        r = await http.patch(ruta, json=cuerpo, headers=admin)
        assert r.status_code == 422 and campo(r) == nombre, r.text
    r = await http.patch(ruta, json={"url": "http://169.254.169.254/"}, headers=admin)
    assert r.status_code == 422 and campo(r) == "url"
    monkeypatch.setattr(settings, "webhooks_permitir_privadas", False)
    r = await http.patch(ruta, json={"url": "http://127.0.0.1:8000/otro"}, headers=admin)
    assert r.status_code == 422 and campo(r) == "url"
    monkeypatch.undo()
    r = await http.patch(ruta, json={"url": "http://127.0.0.1:8000/otro"}, headers=admin)
    assert r.json()["data"]["url"] == "http://127.0.0.1:8000/otro"


async def test_desactivar_y_reactivar(http, h, suscribir, sessions):
    webhook = await suscribir()
    ruta, admin = f"/api/webhooks/{webhook['id']}", h["administrador"]
    datos = (await http.patch(ruta, json={"activo": False}, headers=admin)).json()["data"]
    assert datos["activo"] is False and datos["motivoInactivo"]

    # As the engine leaves it after failing for days.
    async with sessions() as s:
        fila = await s.get(m.Webhook, webhook["id"])
        fila.motivo_inactivo = "falló durante 72 h"
        fila.fallando_desde = fila.fecha_creacion
        await s.commit()
    datos = (await http.get(ruta, headers=admin)).json()["data"]
    assert datos["motivoInactivo"] == "falló durante 72 h" and datos["fallandoDesde"].endswith("-05:00")

    datos = (await http.patch(ruta, json={"activo": True}, headers=admin)).json()["data"]
    assert datos["activo"] is True
    assert datos["motivoInactivo"] is None and datos["fallandoDesde"] is None


async def test_eliminar_es_logico(http, h, suscribir, sessions):
    webhook = await suscribir()
    ruta, admin = f"/api/webhooks/{webhook['id']}", h["administrador"]
    assert (await http.delete(ruta, headers=admin)).status_code == 200
    assert (await http.get(ruta, headers=admin)).status_code == 404
    assert (await http.patch(ruta, json={"activo": True}, headers=admin)).status_code == 404
    assert (await http.delete(ruta, headers=admin)).status_code == 404
    lista = (await http.get("/api/webhooks?size=100&sort=id,desc", headers=admin)).json()["data"]["content"]
    assert webhook["id"] not in [w["id"] for w in lista]
    async with sessions() as s:
        assert (await s.scalar(select(m.Webhook.vigente).where(m.Webhook.id == webhook["id"]))) is False
    assert (await http.get("/api/webhooks/999999999", headers=admin)).status_code == 404
