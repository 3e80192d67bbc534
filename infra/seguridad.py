"""Password hashing (argon2), access tokens (JWT with expiry) and secret encryption (Fernet)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken

_hasher = PasswordHasher()
ALGORITMO = "HS256"

# The security policy in one place. Module attributes (read at call time) so tests can monkeypatch them.
PASSWORD_MIN = 10
PASSWORD_MAX = 200
# Refreshing extends a session, but never beyond this time after the password was typed.
SESION_MAXIMA = timedelta(days=30)


@dataclass(frozen=True)
class Freno:
    """A limit on password evaluations for one key (an address, a DNI at an address, a DNI).

    A streak of failures ends after `ventana` without an evaluated attempt. Once a streak holds `maximo`
    failures, the next evaluation waits until `espera` after the last one (`espera` <= `ventana`)."""

    ambito: str
    maximo: int
    ventana: timedelta
    espera: timedelta


# Checked in this order; each one is a single atomic statement (see identidad.intentar_login).
# A DNI from one address: 5 failures within 15 minutes lock that pair for 15 minutes.
FRENO_PAR = Freno("par", 5, timedelta(minutes=15), timedelta(minutes=15))
# A DNI from anywhere: beyond 10 failures within 15 minutes, one evaluation every 10 seconds (never a
# hard lock, so nobody can lock a real user out) -- except from an address where it logged in before.
FRENO_DNI = Freno("dni", 10, timedelta(minutes=15), timedelta(seconds=10))
# An address, whatever DNIs it tries: `maximo` comes from LOGIN_FALLOS_POR_DIRECCION (see freno_direccion).
VENTANA_DIRECCION = timedelta(minutes=15)
# An address where a DNI logged in is remembered this long (it skips FRENO_DNI).
DIRECCION_CONOCIDA = timedelta(days=30)


def freno_direccion(maximo: int) -> Freno:
    return Freno("direccion", maximo, VENTANA_DIRECCION, VENTANA_DIRECCION)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verificar_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A constant hash so that an unknown DNI costs the same time as a wrong password.
HASH_SEÑUELO = _hasher.hash(secrets.token_urlsafe(16))

# Argon2 costs ~50 ms of CPU and 64 MiB: it runs on these threads, never on the event loop, and at most
# `concurrencia` at a time (the others queue), so a login flood slows logins, not every other request.
_ejecutores: dict[int, ThreadPoolExecutor] = {}
_cerrojo = threading.Lock()


def _ejecutor(concurrencia: int | None) -> ThreadPoolExecutor:
    n = concurrencia or os.cpu_count() or 2
    with _cerrojo:
        if n not in _ejecutores:
            _ejecutores[n] = ThreadPoolExecutor(n, thread_name_prefix="argon2")
        return _ejecutores[n]


async def hashear(password: str, concurrencia: int | None = None) -> str:
    return await asyncio.get_running_loop().run_in_executor(_ejecutor(concurrencia), hash_password, password)


async def verificar(password_hash: str, password: str, concurrencia: int | None = None) -> bool:
    ejecutor = _ejecutor(concurrencia)
    return await asyncio.get_running_loop().run_in_executor(
        ejecutor, verificar_password, password_hash, password
    )


def huella_password(password_hash: str) -> str:
    """Changes whenever the password does, so tokens issued before a password change stop working."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Carga:
    """What a valid token says: who, which password it was issued against, when the session began."""

    usuario_id: int
    huella: str
    inicio: datetime
    expira: datetime | None = None


def emitir_token(
    usuario_id: int, rol: str, huella: str, clave: str, minutos: int, inicio: datetime | None = None
) -> tuple[str, datetime]:
    """A signed token valid for `minutos`. `inicio` is the login time; a refresh carries it over."""
    ahora = datetime.now(UTC)
    expira = ahora + timedelta(minutes=minutos)
    carga = {
        "sub": str(usuario_id),
        "rol": rol,
        "sv": huella,
        "iat": ahora,
        "exp": expira,
        "auth_time": int((inicio or ahora).timestamp()),
    }
    return jwt.encode(carga, clave, algorithm=ALGORITMO), expira


def leer_token(token: str, clave: str) -> Carga | None:
    """The claims of a valid, unexpired token signed with our key; None otherwise."""
    try:
        carga = jwt.decode(
            token, clave, algorithms=[ALGORITMO], options={"require": ["exp", "sub", "sv", "auth_time"]}
        )
        return Carga(
            int(carga["sub"]),
            str(carga["sv"]),
            datetime.fromtimestamp(carga["auth_time"], UTC),
            datetime.fromtimestamp(carga["exp"], UTC),
        )
    except (jwt.PyJWTError, ValueError, TypeError, OverflowError):
        return None


class Cifrador:
    """Encrypts secrets at rest (PPPoE passwords) with a key from configuration."""

    def __init__(self, clave: str) -> None:
        self._fernet = Fernet(clave.encode())

    def cifrar(self, texto: str) -> str:
        return self._fernet.encrypt(texto.encode()).decode()

    def descifrar(self, cifrado: str) -> str | None:
        try:
            return self._fernet.decrypt(cifrado.encode()).decode()
        except InvalidToken:
            return None


def secreto_local(directorio: Path, nombre: str, generar: Callable[[], str]) -> str:
    """A development secret generated once and kept in the data directory (never in the repo)."""
    ruta = directorio / nombre
    if ruta.exists():
        return ruta.read_text().strip()
    directorio.mkdir(parents=True, exist_ok=True)
    valor = generar()
    ruta.write_text(valor)
    ruta.chmod(0o600)
    return valor


def firmar(clave: bytes, *partes: object) -> str:
    """HMAC-SHA256 of the parts (the API signs who asks for a change; the worker checks it)."""
    mensaje = "\x1f".join(str(p) for p in partes).encode()
    return hmac.new(clave, mensaje, hashlib.sha256).hexdigest()


def firma_valida(clave: bytes, firma: str | None, *partes: object) -> bool:
    return firma is not None and hmac.compare_digest(firma, firmar(clave, *partes))


def generar_jwt_secret() -> str:
    return secrets.token_urlsafe(48)


def generar_fernet_key() -> str:
    return Fernet.generate_key().decode()
