"""Operator commands.

    python -m ops.cli migrate
    python -m ops.cli create-admin --dni 40123456 --nombre "Rosa Quispe" --email rosa@simax.pe
    python -m ops.cli reconciliar [--solo-informe]

`create-admin` reads the password from ADMIN_PASSWORD or asks for it (twice, not echoed). It makes sure
the role `administrador` exists with every permission, creates the user or, when the DNI already has an
account, repairs it (active, administrador, the given name, email and password), and on an empty
`modulos` table loads the standard menu and gives all of it to the administrator. Running it twice with
the same arguments leaves the same state. With DATABASE_URL unset it uses the embedded development
server in `.data/postgres`, like `make run`.

`reconciliar` compares every open pendiente's row with its workflow, prints what disagrees and repairs it
towards the committed record (unless --solo-informe); findings are also kept for GET /api/reconciliaciones.
It needs a running Temporal (TEMPORAL_ADDRESS, or the dev server `make run` starts on TEMPORAL_PORT)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Sequence

from pydantic import SecretStr, ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.comun.tipos import Camel
from api.identidad.esquemas import Dni, Email, Password, Texto
from contrato.mensajes import InformeReconciliacion
from db import identidad
from db import models as m
from db.engine import make_engine, make_session_factory
from domain.errores import Conflicto
from domain.permisos import ROLES_DEMO, Permiso
from infra import local as infra
from infra.config import Settings, get_settings
from infra.seguridad import hash_password
from infra.temporal import config_flujo, connect
from ops.demo import MODULOS, cargar_modulos

ROL_ADMIN = "administrador"


class AdminNuevo(Camel):
    dni: Dni
    nombre: Texto(150)
    email: Email
    password: Password


async def crear_admin(database_url: str, datos: AdminNuevo) -> bool:
    """Create or repair the administrator account; True when it was created."""
    engine = make_engine(database_url, pool_size=1)
    try:
        async with make_session_factory(engine)() as s:
            await _asegurar_rol_admin(s)
            await cargar_modulos(s, {ROL_ADMIN: [ruta for ruta, *_ in MODULOS]})
            usuario = await s.scalar(select(m.Usuario).where(m.Usuario.dni == datos.dni))
            creado = usuario is None
            if creado:
                usuario = m.Usuario(dni=datos.dni)
                s.add(usuario)
            usuario.nombre = datos.nombre
            usuario.email = datos.email
            usuario.password_hash = hash_password(datos.password.get_secret_value())
            usuario.rol_id = ROL_ADMIN
            usuario.vigente = True
            usuario.eliminado_en = None
            await identidad.guardar(s)
            return creado
    finally:
        await engine.dispose()


async def _asegurar_rol_admin(s: AsyncSession) -> None:
    rol = await s.get(m.Rol, ROL_ADMIN)
    if rol is None:
        rol = m.Rol(id=ROL_ADMIN, nombre=ROLES_DEMO[ROL_ADMIN][0], descripcion="Acceso total")
        s.add(rol)
    # Repair too: this command is the way back in when the administrator role was broken.
    rol.permisos = sorted(Permiso)
    rol.vigente = True
    await identidad.guardar(s)


def _password() -> str:
    if password := os.environ.get("ADMIN_PASSWORD"):
        return password
    try:
        primera = getpass.getpass("Contraseña del administrador: ")
        repetida = getpass.getpass("Repítala: ")
    except EOFError:
        raise SystemExit("no password: set ADMIN_PASSWORD or run in a terminal") from None
    if repetida != primera:
        raise SystemExit("las contraseñas no coinciden")
    return primera


def _database_url(settings: Settings) -> str:
    if settings.database_url:
        return settings.database_url
    servidor = infra.iniciar_postgres((settings.data_dir / "postgres").resolve())
    return infra.asegurar_base(servidor.get_uri(), "pendientes")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ops.cli", description=__doc__.split("\n\n")[0])
    comandos = parser.add_subparsers(dest="comando", required=True)
    comandos.add_parser("migrate", help="bring the database schema up to date")
    admin = comandos.add_parser(
        "create-admin",
        help="create (or repair) an administrator; password from ADMIN_PASSWORD or a prompt",
    )
    admin.add_argument("--dni", required=True, help="login DNI (8 digits) or CE (up to 12 letters/digits)")
    admin.add_argument("--nombre", required=True, help="display name, unique")
    admin.add_argument("--email", required=True, help="e-mail, unique")
    reconciliar = comandos.add_parser(
        "reconciliar", help="compare every open pendiente with its workflow and repair drift"
    )
    reconciliar.add_argument("--solo-informe", action="store_true", help="report only, repair nothing")
    return parser


async def reconciliar(settings: Settings, database_url: str, reparar: bool) -> InformeReconciliacion:
    from activities.reconciliacion import Reconciliador

    direccion = settings.temporal_address or f"127.0.0.1:{settings.temporal_port}"
    client = await connect(settings.model_copy(update={"temporal_address": direccion}))
    engine = make_engine(database_url, pool_size=2)
    try:
        flujo = config_flujo(settings)
        reconciliador = Reconciliador(
            make_session_factory(engine), client, settings.temporal_task_queue, flujo
        )
        return await reconciliador.revisar_todo(reparar)
    finally:
        await engine.dispose()


def _imprimir(informe: InformeReconciliacion) -> None:
    for h in informe.hallazgos:
        estado = "reparado" if h.reparado else "sin reparar"
        print(f"pendiente {h.pendiente_id}\t{h.tipo}\t{estado}\t{h.detalle}")
    print(informe.resumen())


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = get_settings()
    url = _database_url(settings)
    if args.comando == "reconciliar":
        _imprimir(asyncio.run(reconciliar(settings, url, reparar=not args.solo_informe)))
        return 0
    if args.comando == "migrate":
        from db.migrate import upgrade

        upgrade(url)
        print("schema up to date")
        return 0
    try:
        datos = AdminNuevo(
            dni=args.dni, nombre=args.nombre, email=args.email, password=SecretStr(_password())
        )
    except ValidationError as error:
        for e in error.errors():
            print(f"{'.'.join(map(str, e['loc']))}: {e['msg']}", file=sys.stderr)
        return 2
    try:
        creado = asyncio.run(crear_admin(url, datos))
    except Conflicto as error:
        print(f"{error.data['campo'] if error.data else 'error'}: {error.mensaje}", file=sys.stderr)
        return 1
    print(f"administrator {datos.dni} {'created' if creado else 'updated'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
