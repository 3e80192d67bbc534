"""The hand-made mutants: each one breaks one documented product rule in one place.

A mutant is the exact `original` text of a product file and its `reemplazo`. The original must occur
exactly once in its file, or the runner refuses the mutant as stale (so this list cannot rot silently
when the code moves): `python -m tests.mutacion --verificar` checks that in a second.

`objetivo` is what pytest runs against the mutated copy: the end-to-end tests that must fail, as paths
(whole folders where several files guard the rule, so new tests there count without editing this list).
They are deliberately outside tests/domain/: the domain unit tests kill most of these at once, and the
point is that the behaviour a user depends on (HTTP, workflow, notifications) is guarded too.
`issue=True` marks the changes named in issue 8: the run fails while any of them is not killed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mutante:
    nombre: str
    archivo: str  # relative to the repository root
    original: str
    reemplazo: str
    regla: str  # the rule this change breaks, as the product decisions / README state it
    objetivo: tuple[str, ...]  # pytest paths or node ids expected to kill it
    issue: bool = False

    def aplicar(self, texto: str) -> str:
        return texto.replace(self.original, self.reemplazo, 1)


# Files
ACCIONES_PY = "domain/acciones.py"
AVISOS_PY = "domain/avisos.py"
PERMISOS_PY = "domain/permisos.py"
PLAZOS_PY = "domain/plazos.py"
WORKFLOW_PY = "workflows/pendiente.py"
PERSISTENCIA_PY = "activities/persistencia.py"
RUTAS_ACCIONES_PY = "api/pendientes/rutas_acciones.py"
ENVIO_ACCIONES_PY = "api/pendientes/acciones.py"
RUTAS_USUARIOS_PY = "api/identidad/rutas_usuarios.py"
DEPS_PY = "api/comun/deps.py"
SEGURIDAD_PY = "infra/seguridad.py"
IDENTIDAD_PY = "db/identidad.py"

# Test folders
ACCIONES = "tests/api/pendientes/acciones"
API = "tests/api"
CORE = "tests/api/pendientes"
IDENTIDAD = "tests/api/identidad"
SEGUIMIENTO = "tests/api/seguimiento"
WORKFLOWS = "tests/workflows"
CLIENTES = "tests/api/clientes"
ACTIVIDADES = "tests/activities"
DIVERGENCIA = "tests/workflows/test_divergencia.py"

VENCIBLES = "or estado not in ESTADOS_VENCIBLES:"

# --- The changes named in issue 8 (§3 and §5) ---------------------------------------------------------

NOMBRADOS: tuple[Mutante, ...] = (
    Mutante(
        "tecnico_cualquiera",
        ACCIONES_PY,
        "return actor.empleado_id is not None and actor.empleado_id == situacion.asignado_a",
        "return actor.empleado_id is not None",
        "EJECUTAR_TRABAJO counts only for the technician assigned to the pendiente",
        (ACCIONES, API),
        issue=True,
    ),
    Mutante(
        "vence_por_validar",
        PLAZOS_PY,
        VENCIBLES,
        "or estado not in ESTADOS_VENCIBLES | {EstadoPendiente.POR_VALIDAR}:",
        "only REGISTRADO, ASIGNADO, EN_PROGRESO, PAUSADO and OBSERVADO become vencido (not POR_VALIDAR)",
        (WORKFLOWS,),
        issue=True,
    ),
    Mutante(
        "vence_revision",
        PLAZOS_PY,
        VENCIBLES,
        "or estado not in ESTADOS_VENCIBLES | {EstadoPendiente.REVISION}:",
        "only REGISTRADO, ASIGNADO, EN_PROGRESO, PAUSADO and OBSERVADO become vencido (not REVISION)",
        (WORKFLOWS,),
        issue=True,
    ),
    Mutante(
        "cancelar_no_limpia_vencido",
        ACCIONES_PY,
        'Accion.CANCELAR: Efecto(limpia_vencido=True, cancelacion="sellar", sesion="cerrar"),',
        'Accion.CANCELAR: Efecto(cancelacion="sellar", sesion="cerrar"),',
        "cancelar clears vencido",
        (WORKFLOWS,),
        issue=True,
    ),
    Mutante(
        "finalizar_no_limpia_vencido",
        ACCIONES_PY,
        "Accion.FINALIZAR: Efecto(limpia_vencido=True),",
        "Accion.FINALIZAR: Efecto(),",
        "finalizar clears vencido",
        (WORKFLOWS,),
        issue=True,
    ),
    Mutante(
        "sin_aviso_vencer",
        AVISOS_PY,
        '"vencer": (',
        '"vencer_quitado": (',
        "an overdue pendiente notifies dispatch (ASIGNAR_TECNICO holders)",
        (SEGUIMIENTO,),
        issue=True,
    ),
    Mutante(
        "sin_aviso_postergar",
        AVISOS_PY,
        '"postergar": (',
        '"postergar_quitado": (',
        "postergar notifies the assigned technician",
        (SEGUIMIENTO,),
        issue=True,
    ),
    Mutante(
        "sin_aviso_configurar_pppoe",
        AVISOS_PY,
        '"configurar_pppoe": (',
        '"configurar_pppoe_quitado": (',
        "a configured PPPoE notifies the assigned technician",
        (SEGUIMIENTO,),
        issue=True,
    ),
    Mutante(
        "aviso_al_propio_actor",
        PERSISTENCIA_PY,
        "return [u for u in await s.scalars(consulta) if u != cambio.actor.usuario_id]",
        "return list(await s.scalars(consulta))",
        "the actor is never notified of their own act",
        (SEGUIMIENTO,),
        issue=True,
    ),
    Mutante(
        "clave_de_accion_compartida",
        ENVIO_ACCIONES_PY,
        'clave=f"{usuario.id}:{clave or comandos.clave_automatica()}",',
        "clave=clave or comandos.clave_automatica(),",
        "action Idempotency-Keys are per user: two users never collide on the same key",
        (ACCIONES, API),
        issue=True,
    ),
    Mutante(
        "cambio_de_password_no_cuenta_fallo",
        RUTAS_USUARIOS_PY,
        "valida = await identidad.intentar_login(",
        "valida = await comprobar() if True else await identidad.intentar_login(",
        "a wrong passwordActual in a password change counts as a failed login for the DNI",
        (IDENTIDAD,),
        issue=True,
    ),
    Mutante(
        "bloqueo_tras_10_fallos",
        SEGURIDAD_PY,
        'FRENO_PAR = Freno("par", 5, timedelta(minutes=15), timedelta(minutes=15))',
        'FRENO_PAR = Freno("par", 10, timedelta(minutes=15), timedelta(minutes=15))',
        "5 failed logins of a DNI from one address lock that pair",
        (IDENTIDAD,),
        issue=True,
    ),
    Mutante(
        "bloqueo_de_30_segundos",
        SEGURIDAD_PY,
        'FRENO_PAR = Freno("par", 5, timedelta(minutes=15), timedelta(minutes=15))',
        'FRENO_PAR = Freno("par", 5, timedelta(minutes=15), timedelta(seconds=30))',
        "a locked (DNI, address) pair stays locked for 15 minutes",
        (IDENTIDAD,),
        issue=True,
    ),
)

# --- domain/ -------------------------------------------------------------------------------

DOMINIO: tuple[Mutante, ...] = (
    Mutante(
        "terminar_finaliza",
        ACCIONES_PY,
        "_filas((E.EN_PROGRESO, E.PAUSADO), Accion.TERMINAR, E.POR_VALIDAR)",
        "_filas((E.EN_PROGRESO, E.PAUSADO), Accion.TERMINAR, E.FINALIZADO)",
        "terminar leads to POR_VALIDAR (the work is validated before it is closed)",
        ("tests/api/pendientes/acciones/test_tabla.py",),
    ),
    Mutante(
        "comenzar_desde_pausado",
        ACCIONES_PY,
        "_filas((E.ASIGNADO,), Accion.COMENZAR, E.EN_PROGRESO)",
        "_filas((E.ASIGNADO, E.PAUSADO), Accion.COMENZAR, E.EN_PROGRESO)",
        "comenzar only from ASIGNADO (a paused job is continued, not started)",
        ("tests/api/pendientes/acciones/test_tabla.py",),
    ),
    Mutante(
        "observado_no_se_cancela",
        ACCIONES_PY,
        "(E.REGISTRADO, E.ASIGNADO, E.EN_PROGRESO, E.PAUSADO, E.POSTERGADO, E.OBSERVADO),",
        "(E.REGISTRADO, E.ASIGNADO, E.EN_PROGRESO, E.PAUSADO, E.POSTERGADO),",
        "an OBSERVADO pendiente can be cancelled",
        ("tests/api/pendientes/acciones/test_tabla.py",),
    ),
    Mutante(
        "tecnico_cancela",
        ACCIONES_PY,
        "Regla(Accion.CANCELAR, (P.CANCELAR_PENDIENTE,))",
        "Regla(Accion.CANCELAR, (P.CANCELAR_PENDIENTE, P.EJECUTAR_TRABAJO))",
        "only CANCELAR_PENDIENTE holders cancel",
        (ACCIONES, IDENTIDAD),
    ),
    Mutante(
        "administrar_no_anula",
        ACCIONES_PY,
        "if permiso is not P.EJECUTAR_TRABAJO or P.ADMINISTRAR in actor.permisos:",
        "if permiso is not P.EJECUTAR_TRABAJO:",
        "ADMINISTRAR may act on any pendiente as if assigned",
        (ACCIONES, API),
    ),
    Mutante(
        "sin_permiso_como_no_asignado",
        ACCIONES_PY,
        "if not any(p in actor.permisos for p in regla.permisos):",
        "if False:",
        "a role without the permission gets a 403 naming the permission it lacks",
        (ACCIONES,),
    ),
    Mutante(
        "configurar_pppoe_libera_la_vlan",
        ACCIONES_PY,
        "(ET.PENDIENTE_PPPoE_Y_VLAN, Accion.CONFIGURAR_PPPOE, ET.PENDIENTE_VLAN)",
        "(ET.PENDIENTE_PPPoE_Y_VLAN, Accion.CONFIGURAR_PPPOE, ET.OK)",
        "configuring PPPoE while both are pending leaves PENDIENTE_VLAN",
        ("tests/api/pendientes/acciones/test_tabla.py",),
    ),
    Mutante(
        "pedir_lo_ya_pedido",
        ACCIONES_PY,
        "(ET.OK, Accion.PEDIR_PPPOE, ET.PENDIENTE_PPPoE),",
        "(ET.OK, Accion.PEDIR_PPPOE, ET.PENDIENTE_PPPoE),\n"
        "        (ET.PENDIENTE_PPPoE, Accion.PEDIR_PPPOE, ET.PENDIENTE_PPPoE),",
        "asking again for what is already pending is a 409",
        ("tests/api/pendientes/acciones/test_tabla.py",),
    ),
    Mutante(
        "red_en_tipo_sin_red",
        ACCIONES_PY,
        "if s.tipo not in TIPOS_CON_RED:",
        "if False:",
        "only AVERIA, INSTALACION_INTERNET and TRASLADO have a network sub-state",
        (ACCIONES,),
    ),
    Mutante(
        "red_en_cancelado",
        ACCIONES_PY,
        "ESTADOS_CERRADOS = frozenset({E.FINALIZADO, E.CANCELADO})",
        "ESTADOS_CERRADOS = frozenset({E.FINALIZADO})",
        "no network work on a closed (FINALIZADO or CANCELADO) pendiente",
        (ACCIONES,),
    ),
    Mutante(
        "finalizar_con_red_pendiente",
        ACCIONES_PY,
        "if situacion.estado_tecnico is not ET.OK:",
        "if False:",
        "finalizar is blocked while estadoTecnico is not OK",
        (ACCIONES,),
    ),
    Mutante(
        "internet_sin_pppoe_ni_vlan",
        ACCIONES_PY,
        "internet = situacion.tipo is TipoPendiente.INSTALACION_INTERNET",
        "internet = False",
        "an INSTALACION_INTERNET is finalised only with a PPPoE user or a VLAN recorded",
        (ACCIONES,),
    ),
    Mutante(
        "asignar_sin_detalle",
        ACCIONES_PY,
        "if accion is Accion.ASIGNAR and not situacion.tiene_detalle:",
        "if False:",
        "a pendiente is assigned only once its type detail exists",
        (ACCIONES, CORE),
    ),
    Mutante(
        "tecnico_ve_todos",
        PERMISOS_PY,
        '("Tecnico", frozenset({P.VER_DETALLE, P.EJECUTAR_TRABAJO, P.REGISTRAR_PAGO}))',
        '("Tecnico", frozenset({P.VER_DETALLE, P.EJECUTAR_TRABAJO, P.REGISTRAR_PAGO, P.VER_TODOS}))',
        "the demo technician sees only their own pendientes (VER_DETALLE, not VER_TODOS)",
        (IDENTIDAD, CORE, CLIENTES),
    ),
    Mutante(
        "vence_un_dia_tarde",
        PLAZOS_PY,
        "return datetime.combine(dia + timedelta(days=1), time.min, LIMA)",
        "return datetime.combine(dia + timedelta(days=2), time.min, LIMA)",
        "a pendiente becomes vencido when its Lima day ends",
        (WORKFLOWS,),
    ),
    Mutante(
        "reactivado_sin_tecnico",
        PLAZOS_PY,
        "return EstadoPendiente.ASIGNADO if asignado_a is not None else EstadoPendiente.REGISTRADO",
        "return EstadoPendiente.REGISTRADO",
        "a postponed pendiente comes back to the technician who had it (ASIGNADO)",
        (WORKFLOWS,),
    ),
    Mutante(
        "cancelado_no_se_archiva",
        PLAZOS_PY,
        "return cancelado_en + retencion",
        "return None",
        "a cancelled pendiente is archived after its retention",
        (WORKFLOWS,),
    ),
)

# --- workflows/pendiente.py ----------------------------------------------------------------

FLUJO: tuple[Mutante, ...] = (
    Mutante(
        "version_ignorada",
        WORKFLOW_PY,
        "if version is not None and version != self._vivo.seq:",
        "if False:",
        "a stale version (If-Match / body version) is refused with 409",
        (ACCIONES, CORE),
    ),
    Mutante(
        "clave_reutilizada_aceptada",
        WORKFLOW_PY,
        "if previa is not None and previa != huella_orden(nombre, orden):",
        "if False:",
        "an Idempotency-Key reused for another request is refused (422), never answered with the old result",
        (ACCIONES, WORKFLOWS),
    ),
    Mutante(
        "senal_cree_al_mensaje",
        WORKFLOW_PY,
        "actor = await self._actor_de_senal(orden)",
        "actor = orden.actor",
        "a signal's actor is re-read from Postgres (its payload proves nothing)",
        (ACCIONES,),
    ),
    Mutante(
        "postergar_al_pasado",
        WORKFLOW_PY,
        "if efecto.fecha and orden.nueva_fecha <= workflow.now():",
        "if False:",
        "postergar needs a date after now",
        (ACCIONES, WORKFLOWS),
    ),
    Mutante(
        "nueva_fecha_no_limpia_vencido",
        WORKFLOW_PY,
        'update={"fecha_pendiente": orden.edicion.fecha_pendiente, "vencido": False}',
        'update={"fecha_pendiente": orden.edicion.fecha_pendiente}',
        "editing fechaPendiente clears vencido (the overdue clock starts again)",
        (CORE, ACCIONES, WORKFLOWS),
    ),
)

# --- infra/seguridad.py, db/identidad.py and the token check ----------------------------

SEGURIDAD: tuple[Mutante, ...] = (
    Mutante(
        "token_dura_horas",
        SEGURIDAD_PY,
        "expira = ahora + timedelta(minutes=minutos)",
        "expira = ahora + timedelta(hours=minutos)",
        "a token expires JWT_EXPIRY_MINUTES minutes after it is issued",
        (IDENTIDAD,),
    ),
    Mutante(
        "token_expirado_aceptado",
        SEGURIDAD_PY,
        'options={"require": ["exp", "sub", "sv", "auth_time"]}',
        'options={"require": ["exp", "sub", "sv", "auth_time"], "verify_exp": False}',
        "an expired token is a 401",
        (IDENTIDAD,),
    ),
    Mutante(
        "huella_fija",
        SEGURIDAD_PY,
        "return hashlib.sha256(password_hash.encode()).hexdigest()[:16]",
        'return "huella-fija"',
        "a password change revokes every token issued before it",
        (IDENTIDAD,),
    ),
    Mutante(
        "token_sin_huella",
        DEPS_PY,
        "        or huella_password(usuario.password_hash) != carga.huella\n",
        "",
        "a token is bound to the password it was issued against",
        (IDENTIDAD,),
    ),
    Mutante(
        "cualquier_password",
        SEGURIDAD_PY,
        "return _hasher.verify(password_hash, password)",
        "return True",
        "a wrong password is a 401",
        (IDENTIDAD,),
    ),
    Mutante(
        "ventana_de_30_segundos",
        SEGURIDAD_PY,
        'FRENO_PAR = Freno("par", 5, timedelta(minutes=15), timedelta(minutes=15))',
        'FRENO_PAR = Freno("par", 5, timedelta(seconds=30), timedelta(seconds=30))',
        "failures within 15 minutes add up",
        (IDENTIDAD,),
    ),
    Mutante(
        "bloqueo_ignorado",
        IDENTIDAD_PY,
        "            where=not_(lleno),\n",
        "",
        "a full counter answers 429, even with the right password, without evaluating it",
        (IDENTIDAD,),
    ),
    Mutante(
        "bloqueo_al_sexto_fallo",
        IDENTIDAD_PY,
        "lleno = and_(t.fallos >= f.maximo, t.ultimo > ahora - f.espera)",
        "lleno = and_(t.fallos > f.maximo, t.ultimo > ahora - f.espera)",
        "the 5th failure locks the pair (not the 6th)",
        (IDENTIDAD,),
    ),
    Mutante(
        "webhook_sin_revisar_al_conectar",
        "infra/webhooks.py",
        "direcciones = await _direcciones_del_host(host, self._permitir_privadas)",
        "direcciones = await _direcciones_del_host(host, True)",
        "a webhook connection goes only to an address checked when connecting (no DNS rebinding)",
        ("tests/infra/test_webhooks.py",),
    ),
)

# --- Integrity (issue 9): Postgres and the workflow never disagree; who speaks is verified ------------

INTEGRIDAD: tuple[Mutante, ...] = (
    Mutante(
        "cambio_ajeno_se_salta",
        PERSISTENCIA_PY,
        "if fila.seq != cambio.antes.seq or not fila.vigente:",
        # The old rule: "a row with this seq exists" taken to mean "this change was applied".
        "if fila.seq >= cambio.seq:\n                return ResultadoCambio(aplicado=True)\n"
        "            if False:",
        "a seq held by another change means Postgres is ahead: never skip the change as if it were applied",
        (DIVERGENCIA,),
    ),
    Mutante(
        "comprometido_sin_adoptar",
        WORKFLOW_PY,
        "            self._adoptar_comprometido(resultado)\n            if resultado.aplicado:",
        "            if resultado.aplicado:",
        "a workflow behind Postgres adopts the committed record before re-checking the action",
        (DIVERGENCIA, ACTIVIDADES),
    ),
    Mutante(
        "evento_con_la_vista_de_antes",
        PERSISTENCIA_PY,
        "vista_de_fila(SimpleNamespace(**(fila._asdict() | columnas)))",
        "vista_de_fila(SimpleNamespace(**fila._asdict()))",
        "an event shows the pendiente as the change left it, never as it was before",
        (f"{ACTIVIDADES}/test_persistencia.py",),
    ),
    Mutante(
        "sesion_sin_cerrar",
        PERSISTENCIA_PY,
        'elif sesion == "cerrar":\n        partes.append(',
        "elif False:\n        partes.append(",
        "stopping the work (pausar, terminar...) closes the technician's open session",
        (f"{ACTIVIDADES}/test_persistencia.py",),
    ),
    Mutante(
        "actor_sin_verificar",
        PERSISTENCIA_PY,
        "if cambio.origen is OrigenCambio.UPDATE:",
        "if False:",
        "an update's actor is written only when the API signed it",
        (ACTIVIDADES,),
    ),
    Mutante(
        "alta_sin_verificar",
        PERSISTENCIA_PY,
        'await self._verificar_actor(inicio.pendiente_id, "crear", inicio.actor, inicio.firma)',
        "pass",
        "a creation is written only when the API signed its actor",
        (ACTIVIDADES,),
    ),
    Mutante(
        "rechazo_de_lo_ya_escrito",
        "api/pendientes/comandos.py",
        "        return previa == huella\n",
        "        return False\n",
        "a refused retry of a change Postgres already holds (same key and request) is answered as applied",
        (DIVERGENCIA,),
    ),
    Mutante(
        "base_caida_es_500",
        "api/comun/respuesta.py",
        "    @app.exception_handler(OperationalError)\n    @app.exception_handler(InterfaceError)\n",
        "",
        "Postgres unreachable is answered 503 (transient), never 500",
        ("tests/bench",),
    ),
    Mutante(
        "reconciliador_sin_reparar",
        "activities/reconciliacion.py",
        "if not await handle.execute_update(nombres.SINCRONIZAR, result_type=bool, rpc_timeout=ESPERA_RPC):",
        "if True:",
        "drift found by the reconciler is repaired towards the committed record",
        (ACTIVIDADES,),
    ),
)

# --- Availability and abuse (issue 9 §4): login limits, hashing, sockets, uploads --------------------

IDENTIDAD_SERVICIO_PY = "api/identidad/servicio.py"
DIFUSOR_PY = "api/seguimiento/difusor.py"
NOTAS_PY = "api/notas/rutas.py"
NOTAS_SERVICIO_PY = "api/notas/servicio.py"
NOTAS_SUBIDA_PY = "api/notas/subida.py"
ABUSO = "tests/api/test_abuso.py"
IMAGENES = "tests/api/notas/test_imagenes.py"

DISPONIBILIDAD: tuple[Mutante, ...] = (
    Mutante(
        "contar_despues_de_evaluar",
        IDENTIDAD_PY,
        "            raise Frenado(espera)\n        tomadas.append(llave)\n"
        "    if not await comprobar():\n        return False",
        # The old race: check, evaluate, then count; concurrent attempts all pass the check.
        "            raise Frenado(espera)\n        await _devolver(session, [llave])\n"
        "        tomadas.append(llave)\n    if not await comprobar():\n        for llave in llaves:\n"
        "            await _reservar(session, llave, ahora)\n        return False",
        "50 concurrent tries at one (DNI, address) evaluate at most 5 wrong passwords",
        (IDENTIDAD,),
    ),
    Mutante(
        "bloqueo_por_dni_en_todas_partes",
        IDENTIDAD_PY,
        '    par = f"{dni}@{direccion}"\n',
        '    par = f"{dni}@todas"\n',
        "failures from one address never lock the real user out at another",
        (IDENTIDAD,),
    ),
    Mutante(
        "dni_bloqueo_duro",
        SEGURIDAD_PY,
        'FRENO_DNI = Freno("dni", 10, timedelta(minutes=15), timedelta(seconds=10))',
        'FRENO_DNI = Freno("dni", 10, timedelta(minutes=15), timedelta(minutes=15))',
        "beyond 10 failures a DNI is slowed to one try per 10 s, never locked",
        (IDENTIDAD,),
    ),
    Mutante(
        "direccion_sin_limite",
        IDENTIDAD_PY,
        "        _Llave(seguridad.freno_direccion(fallos_por_direccion), direccion),",
        "        _Llave(seguridad.freno_direccion(10**6), direccion),",
        "one address fails at most LOGIN_FALLOS_POR_DIRECCION (30) logins in 15 minutes",
        (IDENTIDAD,),
    ),
    Mutante(
        "hash_en_el_bucle",
        IDENTIDAD_SERVICIO_PY,
        "        valido = await seguridad.verificar(hash_guardado, password, settings.hash_concurrencia)",
        "        valido = seguridad.verificar_password(hash_guardado, password)",
        "a login flood does not stall other requests: argon2 runs off the event loop",
        (ABUSO,),
    ),
    Mutante(
        "socket_sobrevive_al_cambio_de_credenciales",
        DIFUSOR_PY,
        '            await self.revalidar(None if carga == "*" else int(carga))',
        "            pass",
        "a socket closes (4401) when its user's password, vigente or role changes",
        (SEGUIMIENTO,),
    ),
    Mutante(
        "sockets_sin_tope",
        DIFUSOR_PY,
        "        while len(abiertas) > maximo:",
        "        while len(abiertas) > maximo + 1000:",
        "a user has at most WS_MAX_POR_USUARIO (5) sockets open: the oldest closes",
        (SEGUIMIENTO,),
    ),
    Mutante(
        "imagenes_sin_tope_por_pendiente",
        NOTAS_SERVICIO_PY,
        "    if en_pendiente + nuevas > maximo_pendiente:",
        "    if False:",
        "a pendiente holds at most MAX_IMAGENES_POR_PENDIENTE images across its notes",
        (IMAGENES,),
    ),
    Mutante(
        "subida_sin_tope_de_cuerpo",
        NOTAS_SUBIDA_PY,
        "        if recibido > maximo:",
        "        if False:",
        "an upload body larger than MAX_SUBIDA_BYTES is refused while it streams (413)",
        (IMAGENES,),
    ),
)

MUTANTES: tuple[Mutante, ...] = NOMBRADOS + DOMINIO + FLUJO + SEGURIDAD + INTEGRIDAD + DISPONIBILIDAD
