"""The whole schema: organisation and security, customers, work orders, money, notifications.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Enum values as of this revision, frozen here on purpose: changing an enum needs a new migration, and
# tests/db/test_schema.py fails until it exists.
ESTADO_PENDIENTE = (
    "REGISTRADO",
    "ASIGNADO",
    "EN_PROGRESO",
    "PAUSADO",
    "REVISION",
    "POR_VALIDAR",
    "OBSERVADO",
    "FINALIZADO",
    "POSTERGADO",
    "CANCELADO",
)
ESTADO_TECNICO = ("OK", "PENDIENTE_PPPoE", "PENDIENTE_VLAN", "PENDIENTE_PPPoE_Y_VLAN")
TIPO_PENDIENTE = ("AVERIA", "INSTALACION_INTERNET", "INSTALACION_CAMARAS", "RECOJO_DISPOSITIVOS", "TRASLADO")
PRIORIDAD = ("BAJA", "MEDIA", "URGENTE", "MUY_URGENTE")
LUGAR = (
    "ZONA_RURAL",
    "JULIACA",
    "PUNO",
    "CHUCUITO",
    "PLATERIA",
    "ACORA",
    "ILAVE",
    "JULI",
    "POMATA",
    "CHACACHACA",
    "YONGUYO",
    "ZEPITA",
    "DESAGUADERO",
)
EMPRESA = ("SIMAX", "WINEX", "OTRO")
TIPO_CLIENTE = ("PERSONA", "EMPRESA", "OTRO")
TIPO_DOCUMENTO = ("RUC", "DNI", "CE", "OTRO")
TIPO_INSTALACION = ("MIGRACION_FIBRA", "MIGRACION_INALAMBRICO", "FIBRA", "INALAMBRICO", "OTRO")
TIPO_SERVICIO = ("INTERNET_FIBRA", "INTERNET_INALAMBRICO", "CAMARAS", "DECOS", "OTRO")
TIPO_DISPOSITIVO = ("ROUTER", "DECO", "ANTENA", "OTRO")
METODO_PAGO = ("BCP", "EFECTIVO", "LOS_ANDES", "OTRO")
TIPO_CATALOGO = ("INTERNET", "CAMARAS", "KIT", "SERVICIO")
NOTIFICACION_TIPO = ("INFO", "SUCCESS", "WARNING", "ERROR")
NOTIFICACION_ESTADO = ("NO_LEIDO", "LEIDO")
PERMISOS = (
    "REGISTRAR_PENDIENTE",
    "EDITAR_PENDIENTE",
    "VER_DETALLE",
    "VER_TODOS",
    "ASIGNAR_TECNICO",
    "EJECUTAR_TRABAJO",
    "CONFIGURAR_PPPOE",
    "CONFIGURAR_VLAN",
    "CANCELAR_PENDIENTE",
    "POSTERGAR_PENDIENTE",
    "FINALIZAR_PENDIENTE",
    "OBSERVAR_PENDIENTE",
    "REGISTRAR_PAGO",
    "VER_HISTORIAL",
    "GESTIONAR_CLIENTES",
    "ADMINISTRAR",
)

# Creation order (parents first); downgrade drops in reverse.
TABLES = (
    "roles",
    "cargos",
    "empleados",
    "usuarios",
    "modulos",
    "modulo_roles",
    "clientes",
    "productos",
    "catalogos",
    "catalogo_productos",
    "pendientes",
    "pendientes_averias",
    "pendientes_instalaciones_internet",
    "pendientes_instalaciones_camaras",
    "pendientes_recojo_dispositivos",
    "pendientes_traslados",
    "pendientes_tiempos",
    "pendientes_items",
    "pendientes_notas",
    "pendientes_notas_imagenes",
    "historiales",
    "pagos",
    "notificaciones",
    "app_version",
    "idempotency_keys",
)

# Constraint names are spelled out (op.f) so this revision never depends on the models' naming convention.


def sql_list(values: Sequence[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def id_column() -> sa.Column:
    return sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False)


def fk_column(name: str, nullable: bool = False, **kwargs: object) -> sa.Column:
    return sa.Column(name, sa.BigInteger(), nullable=nullable, **kwargs)


def enum_column(name: str, nullable: bool = False, **kwargs: object) -> sa.Column:
    return sa.Column(name, sa.String(length=50), nullable=nullable, **kwargs)


def common_columns() -> list[sa.Column]:
    return [
        sa.Column(
            "fecha_creacion", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("fecha_modificacion", sa.DateTime(timezone=True), nullable=True),
        sa.Column("vigente", sa.Boolean(), server_default=sa.text("true"), nullable=False),
    ]


def pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*(columns or ("id",)), name=op.f(f"pk_{table}"))


def fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


def uq(table: str, *columns: str) -> sa.UniqueConstraint:
    return sa.UniqueConstraint(*columns, name=op.f(f"uq_{table}_{'_'.join(columns)}"))


def ck(table: str, name: str, condition: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(condition, name=op.f(f"ck_{table}_{name}"))


def enum_ck(table: str, column: str, values: Sequence[str]) -> sa.CheckConstraint:
    return ck(table, column, f"{column} IN ({sql_list(values)})")


def index(table: str, *columns: str) -> None:
    op.create_index(op.f(f"ix_{table}_{'_'.join(columns)}"), table, list(columns))


def vlan_columns(table: str) -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("vlan", sa.Integer(), nullable=True),
        sa.Column("pppoe_usuario", sa.String(length=100), nullable=True),
        sa.Column("pppoe_password_cifrado", sa.Text(), nullable=True),
        ck(table, "vlan", "vlan BETWEEN 1 AND 4094"),
    ]


def detail_table(table: str, *items: sa.schema.SchemaItem) -> None:
    """A type-detail table: its key is the pendiente's (shared, never generated)."""
    op.create_table(
        table,
        sa.Column("pendiente_id", sa.BigInteger(), autoincrement=False, nullable=False),
        *items,
        *common_columns(),
        fk(table, "pendiente_id", "pendientes"),
        pk(table, "pendiente_id"),
    )


def upgrade() -> None:
    # --- Organisation and security
    op.create_table(
        "roles",
        sa.Column("id", sa.String(length=50), nullable=False),
        sa.Column("nombre", sa.String(length=100), nullable=False),
        sa.Column("descripcion", sa.String(length=200), nullable=True),
        sa.Column(
            "permisos", postgresql.ARRAY(sa.String(length=50)), server_default=sa.text("'{}'"), nullable=False
        ),
        *common_columns(),
        ck("roles", "permisos", f"permisos <@ ARRAY[{sql_list(PERMISOS)}]::varchar[]"),
        pk("roles"),
        uq("roles", "nombre"),
    )
    op.create_table(
        "cargos",
        id_column(),
        sa.Column("nombre", sa.String(length=100), nullable=False),
        sa.Column("descripcion", sa.String(length=255), nullable=True),
        *common_columns(),
        pk("cargos"),
        uq("cargos", "nombre"),
    )
    op.create_table(
        "empleados",
        id_column(),
        sa.Column("nombre", sa.String(length=150), nullable=False),
        sa.Column("apellido_paterno", sa.String(length=150), nullable=True),
        sa.Column("apellido_materno", sa.String(length=150), nullable=True),
        sa.Column("telefono", sa.String(length=255), nullable=True),
        sa.Column("correo", sa.String(length=255), nullable=True),
        fk_column("cargo_id"),
        sa.Column("fecha_ingreso", sa.Date(), nullable=False),
        *common_columns(),
        fk("empleados", "cargo_id", "cargos"),
        pk("empleados"),
    )
    op.create_table(
        "usuarios",
        id_column(),
        sa.Column("nombre", sa.String(length=150), nullable=False),
        sa.Column("dni", sa.String(length=20), nullable=False),
        sa.Column("email", sa.String(length=150), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("rol_id", sa.String(length=50), nullable=False),
        fk_column("empleado_id", nullable=True),
        sa.Column("intentos_fallidos", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("bloqueado_hasta", sa.DateTime(timezone=True), nullable=True),
        *common_columns(),
        sa.ForeignKeyConstraint(["rol_id"], ["roles.id"], name=op.f("fk_usuarios_rol_id_roles")),
        fk("usuarios", "empleado_id", "empleados"),
        pk("usuarios"),
        uq("usuarios", "nombre"),
        uq("usuarios", "dni"),
        uq("usuarios", "email"),
        uq("usuarios", "empleado_id"),
    )
    op.create_table(
        "modulos",
        id_column(),
        sa.Column("nombre", sa.String(length=255), nullable=True),
        sa.Column("descripcion", sa.String(length=255), nullable=True),
        sa.Column("icono", sa.String(length=255), nullable=True),
        sa.Column("ruta", sa.String(length=255), nullable=True),
        fk_column("modulo_padre_id", nullable=True),
        *common_columns(),
        fk("modulos", "modulo_padre_id", "modulos"),
        pk("modulos"),
    )
    op.create_table(
        "modulo_roles",
        id_column(),
        fk_column("modulo_id"),
        sa.Column("rol_id", sa.String(length=50), nullable=False),
        sa.Column("permisos", sa.String(length=255), nullable=True),
        *common_columns(),
        fk("modulo_roles", "modulo_id", "modulos"),
        sa.ForeignKeyConstraint(["rol_id"], ["roles.id"], name=op.f("fk_modulo_roles_rol_id_roles")),
        pk("modulo_roles"),
        uq("modulo_roles", "modulo_id", "rol_id"),
    )

    # --- Customers
    op.create_table(
        "clientes",
        id_column(),
        enum_column("tipo_cliente"),
        sa.Column("nombre", sa.String(length=150), nullable=False),
        enum_column("tipo_documento"),
        sa.Column("numero_documento", sa.String(length=20), nullable=True),
        sa.Column("codigo_cliente", sa.String(length=50), nullable=False),
        sa.Column("direccion", sa.String(length=200), nullable=True),
        sa.Column("telefono", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=100), nullable=True),
        sa.Column("contacto_representante", sa.String(length=150), nullable=True),
        *common_columns(),
        enum_ck("clientes", "tipo_cliente", TIPO_CLIENTE),
        enum_ck("clientes", "tipo_documento", TIPO_DOCUMENTO),
        pk("clientes"),
        uq("clientes", "codigo_cliente"),
    )
    index("clientes", "nombre")
    op.create_index(
        "uq_clientes_documento_vigente",
        "clientes",
        ["tipo_documento", "numero_documento"],
        unique=True,
        postgresql_where=sa.text("vigente AND numero_documento IS NOT NULL"),
    )

    # --- Products and catalogues (items of a pendiente reference productos)
    op.create_table(
        "productos",
        id_column(),
        sa.Column("codigo_barra", sa.String(length=100), nullable=True),
        sa.Column("nombre", sa.String(length=255), nullable=False),
        sa.Column("descripcion", sa.String(length=255), nullable=True),
        sa.Column("costo_unitario", sa.Numeric(precision=10, scale=2), nullable=False),
        *common_columns(),
        ck("productos", "costo_unitario", "costo_unitario >= 0"),
        pk("productos"),
        uq("productos", "codigo_barra"),
    )
    op.create_table(
        "catalogos",
        id_column(),
        sa.Column("nombre", sa.String(length=255), nullable=False),
        sa.Column("descripcion", sa.String(length=255), nullable=True),
        enum_column("tipo", nullable=True),
        *common_columns(),
        enum_ck("catalogos", "tipo", TIPO_CATALOGO),
        pk("catalogos"),
    )
    op.create_table(
        "catalogo_productos",
        id_column(),
        fk_column("catalogo_id"),
        fk_column("producto_id"),
        sa.Column("cantidad", sa.Integer(), server_default=sa.text("1"), nullable=False),
        *common_columns(),
        ck("catalogo_productos", "cantidad", "cantidad > 0"),
        fk("catalogo_productos", "catalogo_id", "catalogos"),
        fk("catalogo_productos", "producto_id", "productos"),
        pk("catalogo_productos"),
        uq("catalogo_productos", "catalogo_id", "producto_id"),
    )

    # --- Work orders
    op.create_table(
        "pendientes",
        id_column(),
        sa.Column("fecha_pendiente", sa.DateTime(timezone=True), nullable=True),
        fk_column("registrado_por"),
        fk_column("asignado_a", nullable=True),
        enum_column("estado", server_default="REGISTRADO"),
        enum_column("estado_tecnico", server_default="OK"),
        enum_column("lugar"),
        enum_column("empresa", nullable=True),
        enum_column("prioridad"),
        sa.Column("direccion", sa.String(length=200), nullable=True),
        enum_column("tipo"),
        fk_column("cliente_id"),
        sa.Column("vencido", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("seq", sa.Integer(), server_default=sa.text("0"), nullable=False),
        *common_columns(),
        enum_ck("pendientes", "estado", ESTADO_PENDIENTE),
        enum_ck("pendientes", "estado_tecnico", ESTADO_TECNICO),
        enum_ck("pendientes", "lugar", LUGAR),
        enum_ck("pendientes", "empresa", EMPRESA),
        enum_ck("pendientes", "prioridad", PRIORIDAD),
        enum_ck("pendientes", "tipo", TIPO_PENDIENTE),
        fk("pendientes", "registrado_por", "empleados"),
        fk("pendientes", "asignado_a", "empleados"),
        fk("pendientes", "cliente_id", "clientes"),
        pk("pendientes"),
    )
    for column in (
        "estado",
        "tipo",
        "lugar",
        "asignado_a",
        "cliente_id",
        "fecha_pendiente",
        "registrado_por",
        "vencido",
    ):
        index("pendientes", column)

    detail_table(
        "pendientes_averias",
        sa.Column("descripcion_falla", sa.Text(), nullable=True),
        *vlan_columns("pendientes_averias"),
    )
    detail_table(
        "pendientes_instalaciones_internet",
        sa.Column("velocidad_solicitada", sa.String(length=50), nullable=True),
        sa.Column("costo_fijo", sa.Numeric(precision=10, scale=2), nullable=True),
        enum_column("tipo_instalacion", nullable=True),
        *vlan_columns("pendientes_instalaciones_internet"),
        ck("pendientes_instalaciones_internet", "costo_fijo", "costo_fijo >= 0"),
        enum_ck("pendientes_instalaciones_internet", "tipo_instalacion", TIPO_INSTALACION),
    )
    detail_table("pendientes_instalaciones_camaras")
    detail_table(
        "pendientes_recojo_dispositivos",
        enum_column("dispositivo", nullable=True),
        sa.Column("motivo", sa.String(length=200), nullable=True),
        enum_ck("pendientes_recojo_dispositivos", "dispositivo", TIPO_DISPOSITIVO),
    )
    detail_table(
        "pendientes_traslados",
        enum_column("lugar_destino"),
        sa.Column("direccion_destino", sa.String(length=200), nullable=True),
        enum_column("tipo_servicio", nullable=True),
        *vlan_columns("pendientes_traslados"),
        enum_ck("pendientes_traslados", "lugar_destino", LUGAR),
        enum_ck("pendientes_traslados", "tipo_servicio", TIPO_SERVICIO),
    )

    op.create_table(
        "pendientes_tiempos",
        id_column(),
        fk_column("pendiente_id"),
        fk_column("empleado_id"),
        sa.Column("hora_inicio", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hora_fin", sa.DateTime(timezone=True), nullable=True),
        sa.Column("descripcion", sa.String(length=255), nullable=True),
        *common_columns(),
        ck("pendientes_tiempos", "hora_fin", "hora_fin >= hora_inicio"),
        fk("pendientes_tiempos", "pendiente_id", "pendientes"),
        fk("pendientes_tiempos", "empleado_id", "empleados"),
        pk("pendientes_tiempos"),
    )
    index("pendientes_tiempos", "pendiente_id")
    op.create_index(
        "uq_pendientes_tiempos_sesion_abierta",
        "pendientes_tiempos",
        ["pendiente_id", "empleado_id"],
        unique=True,
        postgresql_where=sa.text("hora_fin IS NULL AND vigente"),
    )

    op.create_table(
        "pendientes_items",
        id_column(),
        fk_column("pendiente_id"),
        fk_column("producto_id"),
        sa.Column("descripcion", sa.String(length=255), nullable=True),
        sa.Column("cantidad", sa.Integer(), nullable=False),
        sa.Column("costo_unitario", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("costo_total", sa.Numeric(precision=12, scale=2), nullable=False),
        *common_columns(),
        ck("pendientes_items", "cantidad", "cantidad > 0"),
        ck("pendientes_items", "costo_unitario", "costo_unitario >= 0"),
        ck("pendientes_items", "costo_total", "costo_total = cantidad * costo_unitario"),
        fk("pendientes_items", "pendiente_id", "pendientes"),
        fk("pendientes_items", "producto_id", "productos"),
        pk("pendientes_items"),
    )
    index("pendientes_items", "pendiente_id")

    op.create_table(
        "pendientes_notas",
        id_column(),
        fk_column("pendiente_id"),
        fk_column("empleado_id"),
        sa.Column("nota", sa.Text(), nullable=True),
        enum_column("estado_pendiente"),
        *common_columns(),
        enum_ck("pendientes_notas", "estado_pendiente", ESTADO_PENDIENTE),
        fk("pendientes_notas", "pendiente_id", "pendientes"),
        fk("pendientes_notas", "empleado_id", "empleados"),
        pk("pendientes_notas"),
    )
    index("pendientes_notas", "pendiente_id")
    op.create_table(
        "pendientes_notas_imagenes",
        id_column(),
        fk_column("nota_id"),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("tamano_bytes", sa.Integer(), nullable=True),
        *common_columns(),
        ck("pendientes_notas_imagenes", "tamano_bytes", "tamano_bytes >= 0"),
        fk("pendientes_notas_imagenes", "nota_id", "pendientes_notas"),
        pk("pendientes_notas_imagenes"),
        uq("pendientes_notas_imagenes", "nota_id", "url"),
    )

    op.create_table(
        "historiales",
        id_column(),
        fk_column("pendiente_id"),
        fk_column("empleado_id", nullable=True),
        sa.Column("actor_nombre", sa.String(length=200), nullable=False),
        sa.Column("accion", sa.String(length=50), nullable=False),
        enum_column("estado_anterior", nullable=True),
        enum_column("estado"),
        enum_column("estado_tecnico_anterior", nullable=True),
        enum_column("estado_tecnico", nullable=True),
        sa.Column("detalles", sa.String(length=500), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=True),
        *common_columns(),
        enum_ck("historiales", "estado_anterior", ESTADO_PENDIENTE),
        enum_ck("historiales", "estado", ESTADO_PENDIENTE),
        enum_ck("historiales", "estado_tecnico_anterior", ESTADO_TECNICO),
        enum_ck("historiales", "estado_tecnico", ESTADO_TECNICO),
        fk("historiales", "pendiente_id", "pendientes"),
        fk("historiales", "empleado_id", "empleados"),
        pk("historiales"),
        uq("historiales", "pendiente_id", "seq"),
    )
    index("historiales", "pendiente_id", "fecha_creacion")

    # --- Money
    op.create_table(
        "pagos",
        id_column(),
        fk_column("empleado_id"),
        fk_column("cliente_id"),
        fk_column("pendiente_id"),
        sa.Column("monto", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("fecha_pago", sa.Date(), nullable=False),
        enum_column("metodo_pago"),
        sa.Column("referencia", sa.String(length=255), nullable=True),
        *common_columns(),
        ck("pagos", "monto", "monto > 0"),
        enum_ck("pagos", "metodo_pago", METODO_PAGO),
        fk("pagos", "empleado_id", "empleados"),
        fk("pagos", "cliente_id", "clientes"),
        fk("pagos", "pendiente_id", "pendientes"),
        pk("pagos"),
    )
    for column in ("cliente_id", "pendiente_id", "fecha_pago"):
        index("pagos", column)

    # --- Notifications, app versions, idempotency
    op.create_table(
        "notificaciones",
        id_column(),
        sa.Column("titulo", sa.String(length=200), nullable=False),
        sa.Column("mensaje", sa.Text(), nullable=True),
        enum_column("tipo"),
        enum_column("estado", server_default="NO_LEIDO"),
        fk_column("usuario_id"),
        fk_column("pendiente_id", nullable=True),
        sa.Column("evento_clave", sa.String(length=200), nullable=True),
        *common_columns(),
        enum_ck("notificaciones", "tipo", NOTIFICACION_TIPO),
        enum_ck("notificaciones", "estado", NOTIFICACION_ESTADO),
        fk("notificaciones", "usuario_id", "usuarios"),
        fk("notificaciones", "pendiente_id", "pendientes"),
        pk("notificaciones"),
        uq("notificaciones", "evento_clave"),
    )
    index("notificaciones", "usuario_id", "estado")

    op.create_table(
        "app_version",
        id_column(),
        sa.Column("version_code", sa.String(length=20), nullable=False),
        sa.Column("plataforma", sa.String(length=20), nullable=False),
        sa.Column("obligatoria", sa.Boolean(), nullable=False),
        sa.Column("descripcion", sa.Text(), nullable=True),
        sa.Column("fecha_publicacion", sa.DateTime(timezone=True), nullable=False),
        sa.Column("vigente", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        pk("app_version"),
    )
    op.create_table(
        "idempotency_keys",
        fk_column("usuario_id"),
        sa.Column("clave", sa.String(length=200), nullable=False),
        sa.Column("operacion", sa.String(length=100), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("recurso_id", sa.BigInteger(), nullable=True),
        sa.Column("respuesta", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("creado_en", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        fk("idempotency_keys", "usuario_id", "usuarios"),
        pk("idempotency_keys", "usuario_id", "clave"),
    )


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
