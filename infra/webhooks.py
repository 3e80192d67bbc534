"""What the API and the delivery activities share about a webhook: its secret, the Standard Webhooks
signature of a delivery, and whether a URL may be called at all (SSRF).

Signatures follow https://www.standardwebhooks.com: headers `webhook-id`, `webhook-timestamp` (Unix
seconds) and `webhook-signature` (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body` with the secret's
bytes, the secret written `whsec_` + base64). During a rotation both secrets sign, space-separated."""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import secrets
import socket
import ssl
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

import anyio
import certifi
import httpcore
import httpx
from standardwebhooks.webhooks import Webhook as Firmante

PREFIJO_SECRETO = "whsec_"
# Cloud metadata services: never a receiver, whatever the settings (they hand out credentials).
METADATOS = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "100.100.100.200", "fd00:ec2::254", "168.63.129.16")
)


# IPv6 site-local (deprecated, still routed inside some networks); Python 3.11 counts it as global.
SITIO_LOCAL = ipaddress.ip_network("fec0::/10")


class DestinoProhibido(ValueError):
    """A URL that must not be called: its message says why, for the 422 or the delivery log."""


def generar_secreto() -> str:
    return PREFIJO_SECRETO + base64.b64encode(secrets.token_bytes(24)).decode()


def firma(secretos: list[str], evento_id: str, momento: datetime, cuerpo: str) -> str:
    """The `webhook-signature` header: one `v1,<base64>` per secret (current first), space-separated."""
    # The library reads the datetime's fields as UTC without converting: hand it UTC, so the signed
    # timestamp is the one `webhook-timestamp` carries.
    momento = momento.astimezone(UTC)
    return " ".join(Firmante(s).sign(evento_id, momento, cuerpo) for s in secretos)


def cabeceras(secretos: list[str], evento_id: str, momento: datetime, cuerpo: str) -> dict[str, str]:
    return {
        "webhook-id": evento_id,
        "webhook-timestamp": str(int(momento.timestamp())),
        "webhook-signature": firma(secretos, evento_id, momento, cuerpo),
        "content-type": "application/json",
    }


def validar_forma(url: str) -> str:
    """The host of an http(s) URL without credentials in it; DestinoProhibido otherwise."""
    partes = urlsplit(url)
    if partes.scheme not in ("http", "https"):
        raise DestinoProhibido("la URL debe ser http o https")
    if not partes.hostname:
        raise DestinoProhibido("la URL no tiene host")
    if partes.username or partes.password:
        raise DestinoProhibido("la URL no puede llevar usuario ni contraseña")
    return partes.hostname


def _prohibida(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, permitir_privadas: bool) -> str | None:
    if isinstance(ip, ipaddress.IPv6Address):
        # An IPv4 address carried inside IPv6 (::ffff:a.b.c.d, 6to4's 2002:aabb:ccdd::) is judged as itself.
        ip = ip.ipv4_mapped or ip.sixtofour or ip
    if ip in METADATOS or ip.is_link_local:
        return "una dirección de enlace local o de metadatos de la nube"
    # IPv6's loopback ::1 lies in the reserved ::/8 block: it is local, judged below.
    if ip.is_multicast or ip.is_unspecified or (ip.is_reserved and not ip.is_loopback):
        return "una dirección que no es de un servidor"
    # Not globally routable: private, loopback, and the carrier-grade NAT block 100.64.0.0/10 (at an
    # ISP, its own customers' and equipment's network), 6to4, site-local...
    if (not ip.is_global or ip in SITIO_LOCAL) and not permitir_privadas:
        return "una dirección privada o local (no permitida en esta instalación)"
    return None


async def direcciones_permitidas(url: str, permitir_privadas: bool) -> list[str]:
    """Every address the URL's host resolves to, if all may be called; DestinoProhibido otherwise (a host
    that resolves to one forbidden address is refused: the resolver may answer it next time)."""
    return await _direcciones_del_host(validar_forma(url), permitir_privadas)


async def _direcciones_del_host(host: str, permitir_privadas: bool) -> list[str]:
    try:
        literal = ipaddress.ip_address(host)
        direcciones = [literal]
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            # UnicodeError: a name IDNA cannot encode (an empty label, one over 63 characters).
            raise DestinoProhibido(f"el host {host} no resuelve") from None
        direcciones = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    for ip in direcciones:
        if motivo := _prohibida(ip, permitir_privadas):
            raise DestinoProhibido(f"el host {host} es {motivo}")
    return [str(ip) for ip in direcciones]


class _RedVigilada(httpcore.AsyncNetworkBackend):
    """Opens a connection only to an address that passes the check at that very moment: the host is
    resolved here, once, and the socket goes to the address that was checked. Checking a URL and then
    letting the HTTP client resolve it again would let a resolver answer a public address to the check
    and a private one to the connection (DNS rebinding)."""

    def __init__(self, permitir_privadas: bool) -> None:
        self._permitir_privadas = permitir_privadas
        self._red = httpcore.AnyIOBackend()

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        # One deadline for the lookup and every address: a host with six silent addresses must not take
        # six timeouts (longer than the delivery activity may run). Each address gets its share of the
        # time left, so one silent address (an IPv6 that drops packets) does not starve a working one.
        limite = None if timeout is None else time.monotonic() + timeout
        try:
            with anyio.fail_after(timeout):
                direcciones = await _direcciones_del_host(host, self._permitir_privadas)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"{host}: no resolvió en {timeout:g} s") from None
        except DestinoProhibido as prohibido:
            # An httpcore error, so the client reports it as any failed connection (never a crash).
            raise httpcore.ConnectError(f"destino prohibido: {prohibido}") from None
        fallo: Exception | None = None
        for orden, direccion in enumerate(direcciones):
            parte = None
            if limite is not None:
                parte = max(limite - time.monotonic(), 0.0) / (len(direcciones) - orden)
            try:
                return await self._red.connect_tcp(
                    direccion, port, timeout=parte, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                fallo = error
        raise fallo or httpcore.ConnectError(f"el host {host} no tiene direcciones")

    async def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise httpcore.ConnectError("un webhook no se entrega por un socket local")

    async def sleep(self, seconds: float) -> None:
        await self._red.sleep(seconds)


def cliente_http(permitir_privadas: bool, timeout: float | None = None) -> httpx.AsyncClient:
    """The HTTP client every webhook call goes through: it connects only to checked addresses (above),
    follows no redirect (a receiver must not bounce us somewhere unchecked) and takes no proxy from the
    environment. TLS still verifies the URL's own host name: only the address is pinned."""
    transporte = httpx.AsyncHTTPTransport(trust_env=False)
    # httpx builds its connection pool without a way to pass the network layer: replace the pool. Checked
    # first, so an httpx that renamed it fails here at start instead of silently skipping the check.
    if not isinstance(getattr(transporte, "_pool", None), httpcore.AsyncConnectionPool):
        raise RuntimeError("httpx.AsyncHTTPTransport no longer keeps its pool in _pool")
    transporte._pool = httpcore.AsyncConnectionPool(
        ssl_context=ssl.create_default_context(cafile=certifi.where()),
        max_connections=100,
        max_keepalive_connections=20,
        keepalive_expiry=5.0,
        network_backend=_RedVigilada(permitir_privadas),
    )
    return httpx.AsyncClient(transport=transporte, follow_redirects=False, trust_env=False, timeout=timeout)
