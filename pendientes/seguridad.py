"""Password hashing (argon2), access tokens (JWT with expiry) and secret encryption (Fernet)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
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
# Consecutive failed logins for one DNI within VENTANA_INTENTOS lock that DNI for BLOQUEO.
MAX_INTENTOS = 5
VENTANA_INTENTOS = timedelta(minutes=15)
BLOQUEO = timedelta(minutes=15)
# Refreshing extends a session, but never beyond this time after the password was typed.
SESION_MAXIMA = timedelta(days=30)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verificar_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A constant hash so that an unknown DNI costs the same time as a wrong password.
HASH_SEÑUELO = _hasher.hash(secrets.token_urlsafe(16))


def huella_password(password_hash: str) -> str:
    """Changes whenever the password does, so tokens issued before a password change stop working."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Carga:
    """What a valid token says: who, which password it was issued against, when the session began."""

    usuario_id: int
    huella: str
    inicio: datetime


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
        return Carga(int(carga["sub"]), str(carga["sv"]), datetime.fromtimestamp(carga["auth_time"], UTC))
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
