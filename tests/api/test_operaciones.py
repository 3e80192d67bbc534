"""Each of the original's 108 operations (reference §5.1–5.14, the list of test_superficie) does its job:
called by a role allowed to, with a valid minimal request (creating first what a write needs), it
answers the exact success status — 201 on create, 200 otherwise (product-decisions.md, API) — in the
envelope {success, code, message, data} with code equal to the HTTP status. Outside /api/ the original's
shapes stay: /auth/validar-token answers plain text and /app/app-version plain JSON (README).
test_superficie checks these routes are registered; this file checks they work."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.api.pendientes.acciones.conftest import crear, personas  # noqa: F401 - fixtures used here
from tests.api.test_superficie import OPERACIONES

LIMA = ZoneInfo("America/Lima")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(40)


def _sufijo() -> str:
    return uuid.uuid4().hex[:8]


def _manana() -> str:
    return (datetime.now(LIMA) + timedelta(days=1)).isoformat()


@dataclass
class Contexto:
    """Makes, over HTTP (pendientes through their workflow), what an operation needs to exist."""

    http: object
    h: dict[str, dict[str, str]]
    crear: Callable[..., Awaitable[int]]
    personas: object

    async def _post(self, ruta: str, cuerpo: dict, rol: str = "administrador") -> dict:
        r = await self.http.post(ruta, json=cuerpo, headers=self.h[rol])
        assert r.status_code == 201, f"preparing {ruta}: {r.text}"
        return r.json()["data"]

    async def rol(self) -> dict:
        s = _sufijo()
        return {"id": (await self._post("/api/usuarios/roles", {"id": f"r-{s}", "nombre": f"Rol {s}"}))["id"]}

    async def cargo(self) -> dict:
        return {"id": (await self._post("/api/empleados/cargo", {"nombre": f"Cargo {_sufijo()}"}))["id"]}

    async def empleado(self) -> dict:
        cuerpo = {
            "nombre": f"Emp {_sufijo()}",
            "cargoId": (await self.cargo())["id"],
            "fechaIngreso": "2025-01-02",
        }
        return {"id": (await self._post("/api/empleados", cuerpo))["id"]}

    async def usuario(self) -> dict:
        return {"id": (await self._post("/api/usuarios", _usuario_nuevo("administrador")))["id"]}

    async def modulo(self) -> dict:
        s = _sufijo()
        return {
            "id": (await self._post("/api/usuarios/modulos", {"nombre": f"Mod {s}", "ruta": f"/prueba/{s}"}))[
                "id"
            ]
        }

    async def cliente(self) -> dict:
        return {"id": (await self._post("/api/clientes", _cliente_nuevo(), "coordinadora"))["id"]}

    async def pendiente(self, estado: str = "REGISTRADO", tipo: str = "AVERIA") -> dict:
        tecnico = self.personas.tecnicos[0].empleado_id
        return {"id": await self.crear(estado, tipo=tipo), "tecnico": tecnico, "manana": _manana()}

    async def sin_detalle(self, tipo: str) -> dict:
        """A pendiente created without its type detail (so the detail can be created)."""
        cliente = (await self.cliente())["id"]
        cuerpo = {"clienteId": cliente, "tipo": tipo, "lugar": "PUNO", "prioridad": "BAJA"}
        return {"id": (await self._post("/api/pendientes", cuerpo, "coordinadora"))["id"]}

    async def tiempo(self) -> dict:
        """The work session `comenzar` opened on an EN_PROGRESO pendiente."""
        pendiente = (await self.pendiente("EN_PROGRESO"))["id"]
        r = await self.http.get(f"/api/pendientes/{pendiente}/tiempos", headers=self.h["tecnico"])
        [abierta] = [t for t in r.json()["data"] if t["horaFin"] is None]
        return {"id": abierta["id"], "pendiente": pendiente}

    async def nota(self) -> dict:
        pendiente = (await self.pendiente("EN_PROGRESO"))["id"]
        nota = await self._post("/api/notas", {"pendienteId": pendiente, "nota": "revisar"}, "tecnico")
        return {"id": nota["id"], "pendiente": pendiente}

    async def pago(self) -> dict:
        pendiente = (await self.pendiente("EN_PROGRESO"))["id"]
        cuerpo = {"pendienteId": pendiente, "monto": "50.00", "metodoPago": "EFECTIVO"}
        return {"id": (await self._post("/api/pagos", cuerpo, "contabilidad"))["id"], "pendiente": pendiente}

    async def producto(self) -> dict:
        cuerpo = {"nombre": f"Router {_sufijo()}", "costoUnitario": "120.00"}
        return {"id": (await self._post("/api/productos", cuerpo))["id"]}

    async def item(self) -> dict:
        pendiente = (await self.pendiente("EN_PROGRESO"))["id"]
        cuerpo = {"pendienteId": pendiente, "productoId": (await self.producto())["id"], "cantidad": 1}
        item = await self._post("/api/productos/pendientes/items", cuerpo, "coordinadora")
        return {"id": item["id"], "pendiente": pendiente}

    async def para_item(self) -> dict:
        pendiente = (await self.pendiente("EN_PROGRESO"))["id"]
        return {"pendiente": pendiente, "producto": (await self.producto())["id"]}

    async def catalogo(self) -> dict:
        return {"id": (await self._post("/api/catalogos", {"nombre": f"Plan {_sufijo()}"}))["id"]}

    async def para_fila(self) -> dict:
        return {"catalogo": (await self.catalogo())["id"], "producto": (await self.producto())["id"]}

    async def fila_catalogo(self) -> dict:
        v = await self.para_fila()
        cuerpo = {"catalogoId": v["catalogo"], "productoId": v["producto"], "cantidad": 1}
        return {"id": (await self._post("/api/catalogos/productos", cuerpo))["id"]}

    async def yo(self, rol: str) -> int:
        return (await self.http.get("/api/usuarios/usuario", headers=self.h[rol])).json()["data"]["id"]

    async def notificacion(self) -> dict:
        usuario = await self.yo("tecnico")
        cuerpo = {"titulo": "Aviso", "mensaje": "Revise su agenda", "usuarioId": usuario}
        return {"id": (await self._post("/api/notificaciones", cuerpo))["id"], "usuario": usuario}

    async def tecnico(self) -> dict:
        return {"usuario": await self.yo("tecnico")}

    async def version(self) -> dict:
        """A version published on a platform of this request alone (so `ultima` finds exactly it)."""
        plataforma = f"P{_sufijo().upper()}"
        r = await self.http.post(
            "/app/app-version",
            json={"versionCode": "1.0.0", "plataforma": plataforma},
            headers=self.h["administrador"],
        )
        assert r.status_code == 201, r.text
        return {"plataforma": plataforma}

    async def rol_y_modulo(self) -> dict:
        return {"rol": (await self.rol())["id"], "modulo": (await self.modulo())["id"]}


def _usuario_nuevo(id_rol: str) -> dict:
    s = _sufijo()
    return {
        "nombre": f"Usuario {s}",
        "dni": f"{uuid.uuid4().int % 10**8:08d}",
        "email": f"u{s}@simax.pe",
        "password": "clave-de-prueba-123",
        "idRol": id_rol,
    }


def _hace_una_hora() -> dict:
    ahora = datetime.now(LIMA)
    return {"horaInicio": (ahora - timedelta(hours=1)).isoformat(), "horaFin": ahora.isoformat()}


def _cliente_nuevo() -> dict:
    return {
        "tipoCliente": "PERSONA",
        "nombre": f"Cliente {_sufijo()}",
        "tipoDocumento": "DNI",
        "numeroDocumento": f"{uuid.uuid4().int % 10**8:08d}",
    }


def J(cuerpo):  # noqa: N802 - short on purpose: the table below uses it on every row
    """A body factory: the JSON `cuerpo` with {placeholders} filled from the prepared values."""

    def _llenar(valor, v):
        if isinstance(valor, str) and valor.startswith("{") and valor.endswith("}"):
            return v[valor[1:-1]]
        if isinstance(valor, dict):
            return {k: _llenar(x, v) for k, x in valor.items()}
        if isinstance(valor, list):
            return [_llenar(x, v) for x in valor]
        return valor

    return lambda v: {"json": _llenar(cuerpo, v)}


C = Contexto
NADA = None
DETALLES = {
    "traslado": ("TRASLADO", {"lugarDestino": "PUNO"}),
    "instalacion-camaras": ("INSTALACION_CAMARAS", {}),
    "instalacion-internet": ("INSTALACION_INTERNET", {"velocidadSolicitada": "100 Mbps"}),
    "averia": ("AVERIA", {"descripcionFalla": "sin señal"}),
    "recojo-dispositivo": ("RECOJO_DISPOSITIVOS", {"dispositivo": "ROUTER"}),
}


def _filas_de_detalle() -> list[tuple]:
    filas = []
    for segmento, (tipo, cuerpo) in DETALLES.items():
        con_detalle = lambda c, t=tipo: c.pendiente(tipo=t)  # noqa: E731
        sin_detalle = lambda c, t=tipo: c.sin_detalle(t)  # noqa: E731
        escrito = J({"pendienteId": "{id}", **cuerpo})
        # The camera installation's (empty) detail exists from creation: its POST answers 200 (README).
        creado = 200 if tipo == "INSTALACION_CAMARAS" else 201
        filas += [
            ("GET", f"/api/pendientes/{{id}}/{segmento}", "coordinadora", con_detalle, NADA, 200),
            ("POST", f"/api/pendientes/{segmento}", "coordinadora", sin_detalle, escrito, creado),
            ("PUT", f"/api/pendientes/{segmento}", "coordinadora", con_detalle, escrito, 200),
        ]
    return filas


def _filas_de_red() -> list[tuple]:
    pppoe = J({"pppoeUser": "abonado@simax", "pppoePassword": "clave-pppoe-1"})
    filas = []
    for segmento, tipo, vlan in (
        ("traslado", "TRASLADO", "traslado¿/vlan"),
        ("instalacion-internet", "INSTALACION_INTERNET", "instalacion-internet/vlan"),
        ("averia", "AVERIA", "averia¿/vlan"),
    ):
        en_progreso = lambda c, t=tipo: c.pendiente("EN_PROGRESO", t)  # noqa: E731
        filas += [
            ("PUT", f"/api/pendientes/{{id}}/{segmento}/ppoe", "red", en_progreso, pppoe, 200),
            ("PUT", f"/api/pendientes/{{id}}/{vlan}?vlan=300", "red", en_progreso, NADA, 200),
        ]
    return filas


def _nuevo(factory: Callable[[], dict]):
    """A body factory for a create whose unique fields must be fresh on every call."""
    return lambda v: {"json": factory()}


ASIGNADO = lambda c: c.pendiente("ASIGNADO")  # noqa: E731
EN_PROGRESO = lambda c: c.pendiente("EN_PROGRESO")  # noqa: E731
PENDIENTE_NUEVO = J({"clienteId": "{id}", "tipo": "AVERIA", "lugar": "PUNO", "prioridad": "BAJA"})
ROL_NUEVO = _nuevo(lambda: {"id": f"r-{_sufijo()}", "nombre": f"Rol {_sufijo()}"})
# Test modules live under /prueba/: tests/api/identidad counts the demo menu by that prefix.
MODULO_NUEVO = _nuevo(lambda: {"nombre": f"Mod {_sufijo()}", "ruta": f"/prueba/{_sufijo()}"})
SYNC = J({"rolId": "{rol}", "moduloIds": ["{modulo}"]})
EMPLEADO_NUEVO = J({"nombre": "Ana", "cargoId": "{id}", "fechaIngreso": "2025-01-02"})
CARGO_NUEVO = _nuevo(lambda: {"nombre": f"Cargo {_sufijo()}"})
TIEMPO_MANUAL = lambda v: {"json": {"pendienteId": v["id"], **_hace_una_hora()}}  # noqa: E731
PNG_SUBIDO = lambda v: {"files": [("files", ("a.png", PNG, "image/png"))]}  # noqa: E731
PAGO = J({"pendienteId": "{id}", "monto": "80.00", "metodoPago": "BCP"})
PRODUCTO_NUEVO = _nuevo(lambda: {"nombre": f"ONU {_sufijo()}", "costoUnitario": "90.00"})
ITEM = J({"pendienteId": "{pendiente}", "productoId": "{producto}", "cantidad": 2})
FILA = J({"catalogoId": "{catalogo}", "productoId": "{producto}", "cantidad": 1})
POSTERGAR = J({"nuevaFecha": "{manana}", "motivo": "de viaje"})
HISTORIAL = J({"pendienteId": "{id}", "detalles": "llamó el cliente"})
VERSION = J({"versionCode": "1.0.0", "plataforma": "IOS"})
NOTIFICACION = J({"titulo": "Aviso", "mensaje": "Hola", "usuarioId": "{usuario}"})

# (method, path template, role, what to create first, body factory, expected status)
TABLA: list[tuple] = [
    ("POST", "/auth", None, NADA, J({"dni": "10000002", "password": "pendientes-demo"}), 200),
    ("GET", "/auth/validar-token", "tecnico", NADA, NADA, 200),
    # §5.2 usuarios, roles, módulos
    ("GET", "/api/usuarios", "administrador", NADA, NADA, 200),
    ("POST", "/api/usuarios", "administrador", NADA, _nuevo(lambda: _usuario_nuevo("tecnico")), 201),
    ("GET", "/api/usuarios/usuario", "tecnico", NADA, NADA, 200),
    ("GET", "/api/usuarios/{id}", "administrador", C.usuario, NADA, 200),
    ("PUT", "/api/usuarios/{id}", "administrador", C.usuario, J({"nombre": "Otro Nombre"}), 200),
    ("DELETE", "/api/usuarios/{id}", "administrador", C.usuario, NADA, 200),
    ("GET", "/api/usuarios/roles", "administrador", NADA, NADA, 200),
    ("POST", "/api/usuarios/roles", "administrador", NADA, ROL_NUEVO, 201),
    ("PUT", "/api/usuarios/roles/{id}", "administrador", C.rol, J({"descripcion": "Otra"}), 200),
    ("DELETE", "/api/usuarios/roles/{id}", "administrador", C.rol, NADA, 200),
    ("GET", "/api/usuarios/modulos/rol/{id}", "administrador", C.rol, NADA, 200),
    ("GET", "/api/usuarios/modulos/usuario", "tecnico", NADA, NADA, 200),
    ("GET", "/api/usuarios/modulos", "administrador", NADA, NADA, 200),
    ("POST", "/api/usuarios/modulos", "administrador", NADA, MODULO_NUEVO, 201),
    ("PUT", "/api/usuarios/modulos/{id}", "administrador", C.modulo, J({"descripcion": "Otra"}), 200),
    ("GET", "/api/usuarios/modulos/{id}", "administrador", C.modulo, NADA, 200),
    ("POST", "/api/usuarios/modulos/sync", "administrador", C.rol_y_modulo, SYNC, 200),
    ("DELETE", "/api/usuarios/modulos/{id}", "administrador", C.modulo, NADA, 200),
    # §5.3 empleados y cargos
    ("POST", "/api/empleados", "administrador", C.cargo, EMPLEADO_NUEVO, 201),
    ("POST", "/api/empleados/cargo", "administrador", NADA, CARGO_NUEVO, 201),
    ("GET", "/api/empleados", "coordinadora", NADA, NADA, 200),
    ("GET", "/api/empleados/cargos", "coordinadora", NADA, NADA, 200),
    ("PUT", "/api/empleados/{id}", "administrador", C.empleado, J({"telefono": "951000123"}), 200),
    ("PUT", "/api/empleados/cargo/{id}", "administrador", C.cargo, J({"descripcion": "Campo"}), 200),
    ("DELETE", "/api/empleados/{id}", "administrador", C.empleado, NADA, 200),
    ("DELETE", "/api/empleados/cargo/{id}", "administrador", C.cargo, NADA, 200),
    # §5.4 clientes
    ("GET", "/api/clientes", "atencion-cliente", NADA, NADA, 200),
    ("GET", "/api/clientes/{id}", "atencion-cliente", C.cliente, NADA, 200),
    ("POST", "/api/clientes", "atencion-cliente", NADA, _nuevo(_cliente_nuevo), 201),
    ("PUT", "/api/clientes/{id}", "atencion-cliente", C.cliente, J({"direccion": "Jr. Lima 1"}), 200),
    ("DELETE", "/api/clientes/{id}", "coordinadora", C.cliente, NADA, 200),
    # §5.5 pendientes
    ("GET", "/api/pendientes/{id}", "coordinadora", C.pendiente, NADA, 200),
    ("POST", "/api/pendientes/filtrar", "coordinadora", NADA, J({"tipo": "AVERIA"}), 200),
    ("POST", "/api/pendientes", "coordinadora", C.cliente, PENDIENTE_NUEVO, 201),
    ("PUT", "/api/pendientes/{id}/estado?nuevoEstado=EN_PROGRESO", "tecnico", ASIGNADO, NADA, 200),
    ("GET", "/api/pendientes/{id}/estado-tecnico?nuevoEstado=PENDIENTE_VLAN", "tecnico", EN_PROGRESO, NADA,
     200),
    ("PUT", "/api/pendientes/{id}/postergar", "coordinadora", C.pendiente, POSTERGAR, 200),
    ("PUT", "/api/pendientes/{id}/asignar?idAsignado={tecnico}", "coordinadora", C.pendiente, NADA, 200),
    ("DELETE", "/api/pendientes/{id}", "coordinadora", C.pendiente, NADA, 200),
    ("POST", "/api/pendientes/filtros", "tecnico", NADA, NADA, 200),
    # §5.6 type details and their network paths
    *_filas_de_detalle(),
    *_filas_de_red(),
    # §5.7 tiempos (comenzar opened a session; a manual one is recorded closed)
    ("GET", "/api/pendientes/{pendiente}/tiempos", "tecnico", C.tiempo, NADA, 200),
    ("POST", "/api/pendientes/tiempos", "tecnico", EN_PROGRESO, TIEMPO_MANUAL, 201),
    ("PUT", "/api/pendientes/tiempos/{id}", "tecnico", C.tiempo, J({"descripcion": "cableado"}), 200),
    ("PUT", "/api/pendientes/tiempos/{pendiente}/cerrar-ultimo", "tecnico", C.tiempo, NADA, 200),
    ("DELETE", "/api/pendientes/tiempos/{id}", "tecnico", C.tiempo, NADA, 200),
    # §5.8 notas e imágenes
    ("POST", "/api/notas", "tecnico", EN_PROGRESO, J({"pendienteId": "{id}", "nota": "listo"}), 201),
    ("PUT", "/api/notas/{id}", "tecnico", C.nota, J({"nota": "corregida"}), 200),
    ("GET", "/api/notas/{id}", "coordinadora", C.nota, NADA, 200),
    ("GET", "/api/notas/pendiente/{pendiente}", "coordinadora", C.nota, NADA, 200),
    ("DELETE", "/api/notas/{id}", "tecnico", C.nota, NADA, 200),
    ("GET", "/api/notas/{id}/imagenes", "coordinadora", C.nota, NADA, 200),
    ("POST", "/api/notas/{id}/imagenes/upload", "tecnico", C.nota, PNG_SUBIDO, 201),
    ("PUT", "/api/notas/{id}/imagenes", "tecnico", C.nota, lambda v: {"json": []}, 200),
    # §5.9 historial
    ("POST", "/api/historiales", "coordinadora", C.pendiente, HISTORIAL, 201),
    ("GET", "/api/historiales/pendiente/{id}", "coordinadora", C.pendiente, NADA, 200),
    # §5.10 pagos
    ("GET", "/api/pagos", "contabilidad", NADA, NADA, 200),
    ("POST", "/api/pagos", "contabilidad", EN_PROGRESO, PAGO, 201),
    ("PUT", "/api/pagos/{id}", "contabilidad", C.pago, J({"referencia": "OP-9"}), 200),
    ("DELETE", "/api/pagos/{id}", "contabilidad", C.pago, NADA, 200),
    ("GET", "/api/pagos/pendiente/{pendiente}", "contabilidad", C.pago, NADA, 200),
    # §5.11 productos e ítems
    ("GET", "/api/productos", "tecnico", NADA, NADA, 200),
    ("GET", "/api/productos/{id}", "tecnico", C.producto, NADA, 200),
    ("POST", "/api/productos", "administrador", NADA, PRODUCTO_NUEVO, 201),
    ("PUT", "/api/productos/{id}", "administrador", C.producto, J({"descripcion": "Dual band"}), 200),
    ("DELETE", "/api/productos/{id}", "administrador", C.producto, NADA, 200),
    ("GET", "/api/productos/pendientes/{pendiente}/items", "coordinadora", C.item, NADA, 200),
    ("POST", "/api/productos/pendientes/items", "coordinadora", C.para_item, ITEM, 201),
    ("PUT", "/api/productos/pendientes/items/{id}", "coordinadora", C.item, J({"cantidad": 3}), 200),
    ("DELETE", "/api/productos/pendientes/items/{id}", "coordinadora", C.item, NADA, 200),
    # §5.12 catálogos
    ("POST", "/api/catalogos", "administrador", NADA, _nuevo(lambda: {"nombre": f"Plan {_sufijo()}"}), 201),
    ("PUT", "/api/catalogos/{id}", "administrador", C.catalogo, J({"tipo": "INTERNET"}), 200),
    ("DELETE", "/api/catalogos/{id}", "administrador", C.catalogo, NADA, 200),
    ("GET", "/api/catalogos", "tecnico", NADA, NADA, 200),
    ("GET", "/api/catalogos/{id}/productos", "tecnico", C.catalogo, NADA, 200),
    ("POST", "/api/catalogos/productos", "administrador", C.para_fila, FILA, 201),
    ("PUT", "/api/catalogos/productos/{id}", "administrador", C.fila_catalogo, J({"cantidad": 4}), 200),
    ("DELETE", "/api/catalogos/productos/{id}", "administrador", C.fila_catalogo, NADA, 200),
    # §5.13 notificaciones
    ("POST", "/api/notificaciones", "administrador", C.tecnico, NOTIFICACION, 201),
    ("GET", "/api/notificaciones", "administrador", NADA, NADA, 200),
    ("GET", "/api/notificaciones/usuario/{usuario}", "tecnico", C.tecnico, NADA, 200),
    ("PUT", "/api/notificaciones/{id}", "tecnico", C.notificacion, J({"estado": "LEIDO"}), 200),
    ("DELETE", "/api/notificaciones/{id}", "tecnico", C.notificacion, NADA, 200),
    # §5.14 app versions
    ("GET", "/app/app-version/vigentes", None, NADA, NADA, 200),
    ("GET", "/app/app-version/ultima?plataforma={plataforma}", None, C.version, NADA, 200),
    ("POST", "/app/app-version", "administrador", NADA, VERSION, 201),
]  # fmt: skip
# Answered like the original, without envelope: plain text, and the app-version JSON (README).
SIN_SOBRE = {
    "/auth/validar-token",
    "/app/app-version/vigentes",
    "/app/app-version/ultima",
    "/app/app-version",
}


def _operacion(metodo: str, ruta: str) -> tuple[str, str]:
    """The reference's spelling of an operation: path parameters as {}, no query string."""
    return metodo, re.sub(r"\{[^}]+\}", "{}", ruta.split("?", 1)[0])


def test_la_tabla_cubre_las_108_operaciones_una_vez():
    assert sorted(_operacion(metodo, ruta) for metodo, ruta, *_ in TABLA) == sorted(OPERACIONES)


@pytest.fixture(scope="module")
def contexto(http, h, crear, personas) -> Contexto:  # noqa: F811 - the imported fixtures
    return Contexto(http, h, crear, personas)


@pytest.mark.parametrize(
    ("metodo", "ruta", "rol", "preparar", "cuerpo", "esperado"), TABLA, ids=[f"{f[0]} {f[1]}" for f in TABLA]
)
async def test_cada_operacion_responde_su_exito(
    http, h, contexto, metodo, ruta, rol, preparar, cuerpo, esperado
):
    valores = await preparar(contexto) if preparar else {}
    extra = cuerpo(valores) if cuerpo else {}
    cabeceras = h[rol] if rol else {}

    r = await http.request(metodo, ruta.format(**valores), headers=cabeceras, **extra)

    assert r.status_code == esperado, r.text
    if _operacion(metodo, ruta)[1] in SIN_SOBRE:
        assert r.text and "success" not in r.text
        return
    respuesta = r.json()
    assert set(respuesta) == {"success", "code", "message", "data"}
    assert (respuesta["success"], respuesta["code"]) == (True, esperado)
    assert isinstance(respuesta["message"], str) and respuesta["message"]
