"""Demo data, loaded idempotently by `make run` (DEMO_DATA=false turns it off).

Reference data is upserted by natural key. Demo pendientes are created through the same command the
API uses (an Idempotency-Key per pendiente) and moved to their state through real workflow Updates,
so every demo pendiente has its workflow and a complete historial.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.comun.deps import UsuarioActual
from api.pendientes.comandos import Comandos
from api.repetitivos import servicio as servicio_repetitivos
from api.repetitivos.esquemas import ReglaIn, RepetitivoCrear
from contrato.mensajes import ActorMsg, DatosPendiente, OrdenAccion
from db import models as m
from db.identidad import sincronizar_menu
from domain.acciones import Accion
from domain.enums import (
    TIPOS_CON_RED,
    EmpresaPendiente,
    LugarPendiente,
    PrioridadPendiente,
    TipoCatalogo,
    TipoCliente,
    TipoDocumento,
    TipoPendiente,
)
from domain.permisos import ROLES_DEMO, Permiso
from domain.zona import LIMA
from infra.programas import Programas
from infra.seguridad import hash_password

log = logging.getLogger("ops.demo")
PASSWORD_DEMO = "pendientes-demo"

CARGOS = [
    ("Coordinadora", "Coordina y despacha los trabajos de campo"),
    ("Marketing", None),
    ("Atencion al Cliente", "Atención en tienda y por teléfono"),
    ("Asesor", "Valida los trabajos terminados"),
    ("Tecnico", "Instalaciones y averías en campo"),
    ("Servicio Tecnico", "Reparación en tienda"),
    ("Almacen", None),
    ("Gerente General", None),
    ("Contabilidad", "Pagos y cobranzas"),
    ("Ingeniero de Red", "Configura PPPoE y VLAN"),
]

# (dni, rol id, nombre, apellido paterno, apellido materno, cargo, teléfono)
USUARIOS = [
    ("10000001", "administrador", "Rosa", "Quispe", "Mamani", "Gerente General", "951000001"),
    ("10000002", "coordinadora", "Carmen", "Condori", "Huanca", "Coordinadora", "951000002"),
    ("10000003", "asesor", "Julio", "Apaza", "Ticona", "Asesor", "951000003"),
    ("10000004", "atencion-cliente", "Lucia", "Choque", "Flores", "Atencion al Cliente", "951000004"),
    ("10000005", "contabilidad", "Marco", "Ccama", "Pari", "Contabilidad", "951000005"),
    ("10000006", "tecnico", "Edwin", "Mamani", "Coaquira", "Tecnico", "951000006"),
    ("10000007", "tecnico", "Wilber", "Calla", "Yupanqui", "Tecnico", "951000007"),
    ("10000008", "red", "Nilda", "Vilca", "Larico", "Ingeniero de Red", "951000008"),
]

# The front-end menu of the reference §8: (ruta, nombre, descripción). A nested ruta hangs from its first
# segment. Rutas belong to the front-end and stay as they are; display names are spelled properly.
MODULOS = [
    ("/pendientes", "Pendientes", "Órdenes de trabajo de campo"),
    ("/pendientes/mis", "Mis Pendientes", "Los pendientes asignados a mí"),
    ("/pendientes/asignar", "Por Asignar", "Pendientes sin técnico"),
    ("/pendientes/historial", "Historial", "Historial de cambios de los pendientes"),
    ("/pendientes/por-validar", "Por Validar", "Trabajos terminados a revisar"),
    ("/pendientes/faltantes-ppoe", "Faltantes PPPoE", "Pendientes que esperan PPPoE o VLAN"),
    ("/pendientes/crear-pendiente", "Crear Pendiente", "Registrar un pendiente"),
    ("/clientes", "Clientes", None),
    ("/clientes/lista", "Lista de Clientes", None),
    ("/catalogos", "Catálogos", None),
    ("/catalogos/lista", "Lista de Catálogos", None),
    ("/catalogos/productos", "Lista de Productos", None),
    ("/pagos", "Pagos", None),
    ("/pagos/lista", "Lista de Pagos", None),
    ("/pagos/reportes", "Reportes de Pagos", None),
    ("/usuarios", "Usuarios", "Usuarios, roles, empleados y cargos"),
    ("/usuarios/lista", "Lista de Usuarios", None),
    ("/usuarios/roles", "Lista de Roles", None),
    ("/usuarios/empleados", "Lista de Empleados", None),
    ("/usuarios/cargos", "Lista de Cargos", None),
]
# What each demo role sees: the screens of its work (parents come along, as with the sync endpoint).
MENUS: dict[str, list[str]] = {
    "administrador": [ruta for ruta, *_ in MODULOS],
    "coordinadora": [
        "/pendientes/asignar",
        "/pendientes/historial",
        "/pendientes/crear-pendiente",
        "/clientes/lista",
        "/catalogos/lista",
        "/catalogos/productos",
    ],
    "asesor": ["/pendientes/por-validar", "/pendientes/historial"],
    "atencion-cliente": [
        "/pendientes/crear-pendiente",
        "/clientes/lista",
        "/catalogos/lista",
        "/catalogos/productos",
    ],
    "contabilidad": ["/pagos/lista", "/pagos/reportes", "/pendientes/historial"],
    "tecnico": ["/pendientes/mis", "/pagos/lista"],
    "red": ["/pendientes/faltantes-ppoe"],
}

# (codigo, tipo, nombre, tipo documento, número, dirección, teléfono, contacto)
CLIENTES = [
    ("CLI000001", TipoCliente.PERSONA, "Teodoro Huaman Quispe", TipoDocumento.DNI, "40123456",
     "Jr. Lima 245, Puno", "951234567", None),
    ("CLI000002", TipoCliente.PERSONA, "Maribel Ccori Apaza", TipoDocumento.DNI, "42345678",
     "Av. Circunvalación 1020, Juliaca", "952345678", None),
    ("CLI000003", TipoCliente.EMPRESA, "Hostal Titicaca Azul S.A.C.", TipoDocumento.RUC, "20601234561",
     "Jr. Arequipa 880, Puno", "953456789", "Gladys Pari"),
    ("CLI000004", TipoCliente.EMPRESA, "Comercial Aymara E.I.R.L.", TipoDocumento.RUC, "20456789012",
     "Av. Panamericana 310, Ilave", "954567890", "Rubén Chambi"),
    ("CLI000005", TipoCliente.PERSONA, "Fortunata Layme Cutipa", TipoDocumento.DNI, "43456789",
     "Jr. Puno 112, Juli", "955678901", None),
    ("CLI000006", TipoCliente.OTRO, "Comunidad Campesina Chacachaca", TipoDocumento.RUC, "20512345675",
     "Sector Chacachaca s/n", "956789012", "Presidente comunal"),
    ("CLI000007", TipoCliente.PERSONA, "Diego Alanoca Ramos", TipoDocumento.CE, "CE0012345",
     "Av. Costanera 45, Desaguadero", "957890123", None),
]  # fmt: skip

# The reference's catalogue (§8): prices kept, names spelled properly.
PLANES = [
    ("Internet inalámbrico hogar 10 Mbps", "29.90"),
    ("Internet inalámbrico hogar 20 Mbps", "40.00"),
    ("Internet inalámbrico hogar 30 Mbps", "50.00"),
    ("Internet inalámbrico hogar 40 Mbps", "60.00"),
    ("Internet inalámbrico corporativo GO 55 Mbps", "75.00"),
    ("Internet inalámbrico corporativo GO 65 Mbps", "99.00"),
    ("Fibra hogar 100 Mbps", "47.00"),
    ("Fibra hogar 200 Mbps + TV", "59.00"),
    ("Fibra hogar 300 Mbps + TV", "69.00"),
    ("Fibra hogar 400 Mbps + TV", "79.00"),
    ("Fibra corporativo 500 Mbps", "129.00"),
    ("Fibra corporativo 700 Mbps", "175.00"),
]
ITEMS_CCTV = [
    "Cámara tubo (bullet)", "Cámara domo", "Cámara PTZ", "DVR", "NVR", "Disco duro", "Cable UTP (metro)",
    "Cable coaxial (metro)", "Video balun", "Conector DC", "Patch cord", "Face plate", "Jack RJ45 keystone",
    "Fuente 12V 1A", "Fuente 12V 2A", "Fuente centralizada", "Rack de pared 6RU", "Rack de pared 9RU",
    "Router", "Punto de acceso", "Switch", "Monitor LG 18.5\"", "Monitor LG 21.5\"",
    "Servicio instalación de kit", "Punto adicional de cámara", "Canaleta (metro)",
    "Configuración de visualización en celular",
]  # fmt: skip

DETALLES: dict[TipoPendiente, dict[str, object]] = {
    TipoPendiente.AVERIA: {"descripcion_falla": "Cliente sin servicio desde la mañana; revisar NAP y ONU"},
    TipoPendiente.INSTALACION_INTERNET: {
        "velocidad_solicitada": "100 Mbps",
        "costo_fijo": "47.00",
        "tipo_instalacion": "FIBRA",
    },
    TipoPendiente.INSTALACION_CAMARAS: {},
    TipoPendiente.RECOJO_DISPOSITIVOS: {"dispositivo": "ROUTER", "motivo": "Baja del servicio"},
    TipoPendiente.TRASLADO: {
        "lugar_destino": "JULIACA",
        "direccion_destino": "Jr. Mariano Núñez 530, Juliaca",
        "tipo_servicio": "INTERNET_FIBRA",
    },
}

A = Accion
_INICIO = [(A.ASIGNAR, "coordinadora"), (A.COMENZAR, "tecnico")]
# The path of actions that leads to each demo situation, and who takes each step: every estado and every
# estadoTecnico. Demo pendiente n (id n + 1 on a fresh database) takes path n // 5 and type n % 5, in the
# order of TipoPendiente, so ids 1-5 are REGISTRADO, 6-10 ASIGNADO, … 61-65 CANCELADO (README, Demo data).
# Network requests apply only to the network-capable types: the others of those rows stay EN_PROGRESO.
CAMINOS: list[list[tuple[Accion, str]]] = [
    [],
    [(A.ASIGNAR, "coordinadora")],
    _INICIO,
    [*_INICIO, (A.PEDIR_PPPOE, "tecnico")],
    [*_INICIO, (A.PEDIR_VLAN, "tecnico")],
    [*_INICIO, (A.PEDIR_PPPOE, "tecnico"), (A.PEDIR_VLAN, "tecnico")],
    [*_INICIO, (A.PAUSAR, "tecnico")],
    [*_INICIO, (A.SOLICITAR_REVISION, "tecnico")],
    [*_INICIO, (A.TERMINAR, "tecnico")],
    [*_INICIO, (A.TERMINAR, "tecnico"), (A.OBSERVAR, "asesor")],
    [(A.ASIGNAR, "coordinadora"), (A.CONFIGURAR_VLAN, "red"), (A.COMENZAR, "tecnico"),
     (A.TERMINAR, "tecnico"), (A.FINALIZAR, "asesor")],
    [(A.POSTERGAR, "coordinadora")],
    [(A.CANCELAR, "coordinadora")],
]  # fmt: skip
PENDIENTES_POR_TIPO = len(CAMINOS)

# Catálogos: (nombre, tipo, descripción, [(producto, cantidad)]), products by their demo name.
CATALOGOS = [
    ("Planes inalámbricos", TipoCatalogo.INTERNET, "Internet inalámbrico hogar y corporativo",
     [(nombre, 1) for nombre, _ in PLANES if "inalámbrico" in nombre]),
    ("Planes de fibra", TipoCatalogo.INTERNET, "Fibra hogar y corporativo",
     [(nombre, 1) for nombre, _ in PLANES if nombre.startswith("Fibra")]),
    ("Cámaras", TipoCatalogo.CAMARAS, "Cámaras sueltas", [("Cámara tubo (bullet)", 1), ("Cámara domo", 1),
     ("Cámara PTZ", 1)]),
    ("Kit de 4 cámaras", TipoCatalogo.KIT, "Kit CCTV con grabador y 4 cámaras domo", [("Cámara domo", 4),
     ("DVR", 1), ("Disco duro", 1), ("Fuente centralizada", 1), ("Cable UTP (metro)", 40), ("Video balun", 8),
     ("Conector DC", 4)]),
    ("Servicios de instalación", TipoCatalogo.SERVICIO, "Mano de obra y configuración",
     [("Servicio instalación de kit", 1), ("Punto adicional de cámara", 1),
      ("Configuración de visualización en celular", 1)]),
]  # fmt: skip


@dataclass
class Personas:
    actores: dict[str, ActorMsg]
    tecnicos: list[ActorMsg]


async def _upsert(s: AsyncSession, modelo: type[m.Base], clave: str, filas: list[dict]) -> None:
    if filas:
        await s.execute(insert(modelo).values(filas).on_conflict_do_nothing(index_elements=[clave]))


async def _usuarios(s: AsyncSession) -> None:
    cargos = dict((await s.execute(select(m.Cargo.nombre, m.Cargo.id))).all())
    password = hash_password(PASSWORD_DEMO)
    for dni, rol, nombre, paterno, materno, cargo, telefono in USUARIOS:
        if await s.scalar(select(m.Usuario.id).where(m.Usuario.dni == dni)):
            continue
        correo = f"{nombre.lower()}.{paterno.lower()}@simax.pe"
        empleado = m.Empleado(
            nombre=nombre,
            apellido_paterno=paterno,
            apellido_materno=materno,
            telefono=telefono,
            correo=correo,
            cargo_id=cargos[cargo],
            fecha_ingreso=date(2024, 3, 1),
        )
        s.add(empleado)
        await s.flush()
        usuario = m.Usuario(
            nombre=f"{nombre} {paterno}",
            dni=dni,
            email=correo,
            password_hash=password,
            rol_id=rol,
            empleado_id=empleado.id,
        )
        s.add(usuario)


async def cargar_modulos(s: AsyncSession, menus: dict[str, list[str]]) -> None:
    """The standard menu and the given role menus, only into an empty modulos table: an administrator's
    later edits are never overwritten."""
    if await s.scalar(select(m.Modulo.id).limit(1)) is not None:
        return
    ids: dict[str, int] = {}
    for ruta, nombre, descripcion in MODULOS:
        padre = ids.get("/" + ruta.split("/")[1]) if ruta.count("/") > 1 else None
        modulo = m.Modulo(nombre=nombre, descripcion=descripcion, ruta=ruta, modulo_padre_id=padre)
        s.add(modulo)
        await s.flush()
        ids[ruta] = modulo.id
    for rol_id, rutas in menus.items():
        await sincronizar_menu(s, rol_id, [ids[r] for r in rutas])


async def cargar_referencia(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Cargos, roles, módulos and menus, empleados, usuarios, clientes and the product catalogue."""
    async with sessions.begin() as s:
        await _upsert(s, m.Cargo, "nombre", [{"nombre": n, "descripcion": d} for n, d in CARGOS])
        roles = [{"id": rid, "nombre": n, "permisos": sorted(p)} for rid, (n, p) in ROLES_DEMO.items()]
        await _upsert(s, m.Rol, "id", roles)
        await cargar_modulos(s, MENUS)
        await _usuarios(s)
        clientes = [
            {
                "codigo_cliente": c,
                "tipo_cliente": t,
                "nombre": n,
                "tipo_documento": td,
                "numero_documento": nd,
                "direccion": d,
                "telefono": tel,
                "contacto_representante": ct,
            }
            for c, t, n, td, nd, d, tel, ct in CLIENTES
        ]
        await _upsert(s, m.Cliente, "codigo_cliente", clientes)
        if not await s.scalar(select(m.Producto.id).limit(1)):
            s.add_all(m.Producto(nombre=n, costo_unitario=Decimal(p)) for n, p in PLANES)
            s.add_all(m.Producto(nombre=n, costo_unitario=Decimal("0.00")) for n in ITEMS_CCTV)


async def personas_demo(sessions: async_sessionmaker[AsyncSession]) -> Personas:
    async with sessions() as s:
        filas = (
            await s.execute(
                select(m.Usuario, m.Rol)
                .join(m.Rol, m.Rol.id == m.Usuario.rol_id)
                .where(m.Usuario.dni.in_([u[0] for u in USUARIOS]))
                .order_by(m.Usuario.dni)
            )
        ).all()
    actores: dict[str, ActorMsg] = {}
    tecnicos: list[ActorMsg] = []
    for usuario, rol in filas:
        actor = ActorMsg(
            usuario_id=usuario.id,
            empleado_id=usuario.empleado_id,
            nombre=usuario.nombre,
            permisos=frozenset(Permiso(p) for p in rol.permisos),
        )
        actores.setdefault(rol.id, actor)
        if rol.id == "tecnico":
            tecnicos.append(actor)
    return Personas(actores, tecnicos)


def _orden(accion: Accion, actor: ActorMsg, tecnico: ActorMsg, hoy: date) -> OrdenAccion:
    datos: dict[str, object] = {}
    if accion is A.ASIGNAR:
        datos["tecnico_id"] = tecnico.empleado_id
    elif accion is A.POSTERGAR:
        nueva = datetime.combine(hoy + timedelta(days=5), time(9), LIMA)
        datos.update(nueva_fecha=nueva, motivo="El cliente pidió otra fecha")
    elif accion is A.CANCELAR:
        datos["motivo"] = "El cliente desistió del servicio"
    elif accion is A.OBSERVAR:
        datos["motivo"] = "Falta foto del equipo instalado"
    elif accion is A.CONFIGURAR_VLAN:
        datos["vlan"] = 120
    elif accion in (A.PAUSAR, A.SOLICITAR_REVISION):
        datos["motivo"] = "Falta material en almacén"
    return OrdenAccion(actor=actor, **datos)


def _camino(n: int) -> list[tuple[Accion, str]]:
    camino = CAMINOS[n // len(TipoPendiente) % len(CAMINOS)]
    if _tipo(n) not in TIPOS_CON_RED:
        camino = [paso for paso in camino if paso[0] not in (A.PEDIR_PPPOE, A.PEDIR_VLAN, A.CONFIGURAR_VLAN)]
    return camino


def _tipo(n: int) -> TipoPendiente:
    return list(TipoPendiente)[n % len(TipoPendiente)]


def _tecnico(personas: Personas, n: int) -> ActorMsg:
    return personas.tecnicos[n % len(personas.tecnicos)]


async def _crear_pendiente(comandos: Comandos, personas: Personas, n: int, cliente_ids: list[int]) -> int:
    """Demo pendiente n, REGISTRADO; its Idempotency-Key makes a second load find the same one."""
    tipo = _tipo(n)
    hoy = datetime.now(LIMA).date()
    coordinadora = personas.actores["coordinadora"]
    lugar = list(LugarPendiente)[n % len(LugarPendiente)]
    datos = DatosPendiente(
        cliente_id=cliente_ids[n % len(cliente_ids)],
        registrado_por=coordinadora.empleado_id,
        tipo=tipo,
        lugar=lugar,
        prioridad=list(PrioridadPendiente)[n % len(PrioridadPendiente)],
        empresa=EmpresaPendiente.SIMAX if n % 3 else EmpresaPendiente.WINEX,
        direccion=f"Jr. Demo {100 + n}, {lugar.title()}",
        # From yesterday (overdue at once, unless postponed or closed) to five days ahead.
        fecha_pendiente=datetime.combine(hoy + timedelta(days=n % 7 - 1), time(9), LIMA),
        detalle=DETALLES[tipo],
    )
    clave = f"demo-{n}"
    return await comandos.crear_pendiente(datos, coordinadora, clave=clave, request_hash=clave)


async def _mover_pendiente(
    sessions: async_sessionmaker[AsyncSession],
    comandos: Comandos,
    personas: Personas,
    n: int,
    pendiente_id: int,
) -> None:
    """Takes demo pendiente n along its path, unless an earlier load already did."""
    camino = _camino(n)
    async with sessions() as s:
        hechos = await s.scalar(
            select(func.count())
            .select_from(m.Historial)
            .where(m.Historial.pendiente_id == pendiente_id, m.Historial.accion.in_([a for a, _ in camino]))
        )
    if hechos >= len(camino):
        return  # loaded by an earlier run (its workflow may even have finished)
    hoy = datetime.now(LIMA).date()
    tecnico = _tecnico(personas, n)
    # Each step carries its own idempotency key: after an interrupted load the workflow answers the
    # steps it already applied without applying them twice.
    for paso, (accion, rol) in enumerate(camino):
        actor = tecnico if rol == "tecnico" else personas.actores[rol]
        orden = _orden(accion, actor, tecnico, hoy).model_copy(update={"clave": f"demo-{n}-{paso}"})
        await comandos.ejecutar(pendiente_id, accion, orden)


async def cargar_catalogos(sessions: async_sessionmaker[AsyncSession]) -> None:
    """The demo catálogos with their products, only into an empty catalogos table (an administrator's
    catálogos are never touched)."""
    async with sessions.begin() as s:
        if await s.scalar(select(m.Catalogo.id).limit(1)) is not None:
            return
        productos = dict(
            (await s.execute(select(m.Producto.nombre, m.Producto.id).order_by(m.Producto.id))).all()
        )
        for nombre, tipo, descripcion, filas in CATALOGOS:
            catalogo = m.Catalogo(nombre=nombre, tipo=tipo, descripcion=descripcion)
            s.add(catalogo)
            await s.flush()
            s.add_all(
                m.CatalogoProducto(
                    catalogo_id=catalogo.id, producto_id=productos[producto], cantidad=cantidad
                )
                for producto, cantidad in filas
            )


# Repeating work orders (/api/repetitivos): (nombre, client code, tipo, lugar, prioridad, empresa,
# dirección, detalle as the API takes it, DNI of the technician or None, rule without its start date).
# Created by the coordinadora, starting the day the demo is loaded; ids 1 and 2 on a fresh database.
REPETITIVOS = [
    ("Mantenimiento mensual de cámaras", "CLI000003", TipoPendiente.INSTALACION_CAMARAS,
     LugarPendiente.PUNO, PrioridadPendiente.MEDIA, EmpresaPendiente.SIMAX, "Jr. Arequipa 880, Puno", None,
     "10000006", {"frecuencia": "MENSUAL", "diasMes": [5], "hora": "09:00"}),
    ("Revisión quincenal del enlace", "CLI000004", TipoPendiente.AVERIA, LugarPendiente.ILAVE,
     PrioridadPendiente.BAJA, EmpresaPendiente.SIMAX, "Av. Panamericana 310, Ilave",
     {"descripcionFalla": "Revisión preventiva del enlace y de la ONU"}, None,
     {"frecuencia": "SEMANAL", "cada": 2, "diasSemana": ["LUNES"], "hora": "08:00"}),
]  # fmt: skip


async def cargar_repetitivos(sessions: async_sessionmaker[AsyncSession], programas: Programas) -> None:
    """The demo templates with their Schedules, each unless a live one of that name exists."""
    personas = await personas_demo(sessions)
    coordinadora = personas.actores["coordinadora"]
    usuario = UsuarioActual(
        id=coordinadora.usuario_id,
        nombre=coordinadora.nombre,
        rol="Coordinadora",
        empleado_id=coordinadora.empleado_id,
        permisos=coordinadora.permisos,
    )
    hoy = datetime.now(LIMA).date()
    for nombre, codigo, tipo, lugar, prioridad, empresa, direccion, detalle, dni, regla in REPETITIVOS:
        async with sessions() as s:
            existe = await s.scalar(
                select(m.Repetitivo.id).where(m.Repetitivo.nombre == nombre, m.Repetitivo.vigente.is_(True))
            )
            if existe is not None:
                continue
            cliente_id = await s.scalar(select(m.Cliente.id).where(m.Cliente.codigo_cliente == codigo))
            tecnico_id = None
            if dni is not None:
                tecnico_id = await s.scalar(select(m.Usuario.empleado_id).where(m.Usuario.dni == dni))
            cuerpo = RepetitivoCrear(
                nombre=nombre,
                tipo=tipo,
                cliente_id=cliente_id,
                detalle=detalle,
                prioridad=prioridad,
                lugar=lugar,
                empresa=empresa,
                direccion=direccion,
                tecnico_id=tecnico_id,
                regla=ReglaIn.model_validate(regla | {"fechaInicio": hoy.isoformat()}),
            )
            await servicio_repetitivos.crear(s, programas, cuerpo, usuario)


async def cargar_demo(sessions: async_sessionmaker[AsyncSession], comandos: Comandos) -> int:
    await cargar_referencia(sessions)
    await cargar_catalogos(sessions)
    personas = await personas_demo(sessions)
    codigos = [c[0] for c in CLIENTES]
    async with sessions() as s:
        consulta = select(m.Cliente.id).where(m.Cliente.codigo_cliente.in_(codigos)).order_by(m.Cliente.id)
        cliente_ids = list(await s.scalars(consulta))
    total = PENDIENTES_POR_TIPO * len(TipoPendiente)
    # Created one after another, so that on a fresh database demo pendiente n has id n + 1 (the README and
    # docs examples name pendientes by id); then moved to their states concurrently.
    ids = [await _crear_pendiente(comandos, personas, n, cliente_ids) for n in range(total)]
    limite = asyncio.Semaphore(8)

    async def uno(n: int) -> None:
        async with limite:
            await _mover_pendiente(sessions, comandos, personas, n, ids[n])

    await asyncio.gather(*(uno(n) for n in range(total)))
    await cargar_repetitivos(sessions, Programas(comandos.client, comandos.task_queue))
    log.info("demo data ready: %d pendientes, %d repetitivos", total, len(REPETITIVOS))
    return total
