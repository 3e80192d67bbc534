"""Signing and the SSRF check, against the Standard Webhooks text and addresses written by hand."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

from infra.webhooks import DestinoProhibido, cabeceras, cliente_http, direcciones_permitidas, generar_secreto
from tests.activities.receptor import Receptor


def _esperada(secreto: str, evento_id: str, marca: str, cuerpo: str) -> str:
    clave = base64.b64decode(secreto.removeprefix("whsec_"))
    digest = hmac.new(clave, f"{evento_id}.{marca}.{cuerpo}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


@pytest.mark.parametrize("zona", [UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=9))])
def test_la_firma_cubre_la_marca_de_tiempo_de_la_cabecera_en_cualquier_zona(zona):
    secreto = generar_secreto()
    momento = datetime.now(zona)
    h = cabeceras([secreto], "evt_1", momento, '{"a":1}')
    assert h["webhook-timestamp"] == str(int(momento.timestamp()))
    assert h["webhook-signature"] == _esperada(secreto, "evt_1", h["webhook-timestamp"], '{"a":1}')


def test_en_una_rotacion_firman_los_dos_secretos_el_nuevo_primero():
    nuevo, viejo = generar_secreto(), generar_secreto()
    h = cabeceras([nuevo, viejo], "evt_2", datetime.now(UTC), "{}")
    firmas = h["webhook-signature"].split(" ")
    marca = h["webhook-timestamp"]
    assert firmas == [_esperada(nuevo, "evt_2", marca, "{}"), _esperada(viejo, "evt_2", marca, "{}")]


def test_el_secreto_tiene_la_forma_del_estandar():
    secreto = generar_secreto()
    assert secreto.startswith("whsec_")
    assert len(base64.b64decode(secreto.removeprefix("whsec_"))) >= 24
    assert generar_secreto() != secreto


@pytest.mark.parametrize(
    ("url", "privadas"),
    [
        ("ftp://example.com/x", True),
        ("file:///etc/passwd", True),
        ("http://169.254.169.254/latest/meta-data", True),
        ("http://[fe80::1]/", True),
        ("http://[::ffff:169.254.169.254]/", True),
        ("http://0.0.0.0/", True),
        ("http://user:pw@127.0.0.1/", True),
        ("http://127.0.0.1:9000/", False),
        ("http://10.1.2.3/", False),
        ("http://192.168.0.10/", False),
        ("http://[::1]/", False),
        # Carrier-grade NAT: at an ISP, the network of its own customers and equipment.
        ("http://100.64.0.1/", False),
        ("http://[2002:a00:1::]/", False),  # 6to4 of 10.0.0.1
        ("http://[2002:a9fe:a9fe::]/", True),  # 6to4 of the metadata address
        ("http://[fec0::1]/", False),
        ("http://a..b.example/", True),  # a name IDNA cannot encode: refused, not a crash
    ],
)
async def test_destinos_prohibidos(url, privadas):
    with pytest.raises(DestinoProhibido):
        await direcciones_permitidas(url, privadas)


@pytest.mark.parametrize("url", ["http://127.0.0.1:9000/x", "http://[::1]:9000/", "https://10.1.2.3/h"])
async def test_privadas_solo_cuando_se_permiten(url):
    assert await direcciones_permitidas(url, True)


async def test_el_cliente_de_webhooks_revisa_la_direccion_al_conectar_y_no_solo_antes():
    # Nothing checks this URL beforehand: whatever a resolver answered to an earlier check, the connection
    # itself refuses `localhost` (127.0.0.1) in an installation that forbids private addresses.
    async with Receptor() as receptor, cliente_http(permitir_privadas=False, timeout=5) as http:
        with pytest.raises(httpx.ConnectError, match="destino prohibido"):
            await http.post(f"http://localhost:{receptor.puerto}/hook", headers={"webhook-id": "msg_1"})
    assert receptor.peticiones == []


async def test_el_cliente_de_webhooks_entrega_por_nombre_cuando_la_direccion_se_permite():
    async with Receptor() as receptor, cliente_http(permitir_privadas=True, timeout=5) as http:
        respuesta = await http.post(
            f"http://localhost:{receptor.puerto}/hook", content=b"{}", headers={"webhook-id": "msg_2"}
        )
    assert respuesta.status_code == 200
    assert [p.cabeceras["host"] for p in receptor.peticiones] == [f"localhost:{receptor.puerto}"]


async def test_el_cliente_de_webhooks_no_sigue_redirecciones():
    async with (
        Receptor(lambda p, n: 307) as receptor,
        cliente_http(permitir_privadas=True, timeout=5) as http,
    ):
        respuesta = await http.post(receptor.url, content=b"{}", headers={"webhook-id": "msg_3"})
    assert respuesta.status_code == 307
    assert len(receptor.peticiones) == 1
