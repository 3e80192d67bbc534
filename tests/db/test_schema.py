"""The schema against a real Postgres: the database itself refuses bad data, and the models, the migration
and the enums stay in step."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, pool, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.migrate import downgrade, upgrade
from db.models import (
    Base,
    Cargo,
    Cliente,
    Empleado,
    Historial,
    Pendiente,
    PendienteAveria,
    PendienteInstalacionInternet,
    PendienteItem,
    PendienteTiempo,
    PendienteTraslado,
    Producto,
    Rol,
)
from domain.enums import (
    EstadoPendiente,
    LugarPendiente,
    PrioridadPendiente,
    TipoCliente,
    TipoDocumento,
    TipoPendiente,
)
from domain.permisos import Permiso
from infra.config import to_sqlalchemy_url
from tests.conftest import create_database


@pytest.fixture(scope="module")
def schema_url(postgres_server_url: str) -> str:
    """An empty migrated database of its own: the shared one holds other tests' data."""
    url = create_database(postgres_server_url, "schema")
    upgrade(url)
    return url


@pytest.fixture(scope="module")
def engine(schema_url: str) -> Iterator[Engine]:
    engine = create_engine(to_sqlalchemy_url(schema_url), poolclass=pool.NullPool)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
            yield session
        transaction.rollback()


@contextmanager
def rechazado(session: Session, constraint: str) -> Iterator[None]:
    """The writes in the block must fail on `constraint`; the session stays usable afterwards."""
    with pytest.raises(IntegrityError) as error, session.begin_nested():
        yield
        session.flush()
    assert error.value.orig.diag.constraint_name == constraint


def cliente(codigo: str, numero_documento: str | None = None) -> Cliente:
    return Cliente(
        tipo_cliente=TipoCliente.PERSONA,
        nombre="Rosa Mamani",
        tipo_documento=TipoDocumento.DNI,
        numero_documento=numero_documento,
        codigo_cliente=codigo,
    )


@pytest.fixture
def empleado(session: Session) -> Empleado:
    empleado = Empleado(nombre="Juan", cargo=Cargo(nombre="Técnico"), fecha_ingreso=date(2024, 1, 15))
    session.add(empleado)
    session.flush()
    return empleado


def nuevo_pendiente(empleado: Empleado, cliente_id: int | None = None, **campos: Any) -> Pendiente:
    pendiente = Pendiente(
        registrado_por=empleado.id,
        lugar=LugarPendiente.PUNO,
        prioridad=PrioridadPendiente.MEDIA,
        tipo=TipoPendiente.AVERIA,
        **campos,
    )
    if cliente_id is None:
        pendiente.cliente = cliente("CLI000900")
    else:
        pendiente.cliente_id = cliente_id
    return pendiente


@pytest.fixture
def pendiente(session: Session, empleado: Empleado) -> Pendiente:
    pendiente = nuevo_pendiente(empleado)
    session.add(pendiente)
    session.flush()
    return pendiente


# --- Constraints a user relies on ------------------------------------------------------------------


def test_codigo_cliente_duplicado_rechazado(session: Session) -> None:
    session.add(cliente("CLI000001"))
    session.flush()
    with rechazado(session, "uq_clientes_codigo_cliente"):
        session.add(cliente("CLI000001"))


def test_documento_duplicado_rechazado_solo_entre_clientes_vigentes(session: Session) -> None:
    primero = cliente("CLI000001", "01234567")
    session.add(primero)
    session.flush()
    with rechazado(session, "uq_clientes_documento_vigente"):
        session.add(cliente("CLI000002", "01234567"))

    primero.vigente = False  # soft-deleted: its document is free again
    session.add_all([cliente("CLI000003", "01234567"), cliente("CLI000004"), cliente("CLI000005")])
    session.flush()


def test_estado_fuera_del_enum_rechazado(session: Session, pendiente: Pendiente) -> None:
    with rechazado(session, "ck_pendientes_estado"):
        session.execute(
            text("UPDATE pendientes SET estado = 'INVENTADO' WHERE id = :id"), {"id": pendiente.id}
        )


def test_permiso_desconocido_rechazado(session: Session) -> None:
    session.add(Rol(id="red", nombre="Red", permisos=[Permiso.CONFIGURAR_PPPOE, Permiso.CONFIGURAR_VLAN]))
    session.flush()
    with rechazado(session, "ck_roles_permisos"):
        session.add(Rol(id="otro", nombre="Otro", permisos=["ASIGNAR_PPOE"]))


def test_historial_seq_duplicado_rechazado(
    session: Session, pendiente: Pendiente, empleado: Empleado
) -> None:
    def entrada(seq: int | None) -> Historial:
        return Historial(
            pendiente_id=pendiente.id,
            empleado_id=empleado.id,
            actor_nombre="Juan",
            accion="asignar",
            estado=EstadoPendiente.ASIGNADO,
            seq=seq,
        )

    session.add(entrada(1))
    session.flush()
    with rechazado(session, "uq_historiales_pendiente_id_seq"):
        session.add(entrada(1))

    session.add_all([entrada(None), entrada(None)])  # manual entries carry no seq and never collide
    session.flush()


@pytest.mark.parametrize("vlan", [0, 4095])
@pytest.mark.parametrize(
    "modelo",
    [PendienteAveria, PendienteInstalacionInternet, PendienteTraslado],
    ids=lambda modelo: modelo.__tablename__,
)
def test_vlan_fuera_de_rango_rechazada(
    session: Session, pendiente: Pendiente, modelo: type[Base], vlan: int
) -> None:
    obligatorios = {"lugar_destino": LugarPendiente.JULIACA} if modelo is PendienteTraslado else {}
    with rechazado(session, f"ck_{modelo.__tablename__}_vlan"):
        session.add(modelo(pendiente_id=pendiente.id, vlan=vlan, **obligatorios))


@pytest.mark.parametrize("vlan", [1, 4094])
def test_vlan_en_los_limites_aceptada(session: Session, pendiente: Pendiente, vlan: int) -> None:
    session.add(PendienteAveria(pendiente_id=pendiente.id, vlan=vlan))
    session.flush()


def test_clave_foranea_inexistente_rechazada(session: Session, empleado: Empleado) -> None:
    with rechazado(session, "fk_pendientes_cliente_id_clientes"):
        session.add(nuevo_pendiente(empleado, cliente_id=999_999_999))


def test_una_sola_sesion_abierta_por_tecnico(
    session: Session, pendiente: Pendiente, empleado: Empleado
) -> None:
    inicio = datetime.now(UTC)

    def sesion() -> PendienteTiempo:
        return PendienteTiempo(pendiente_id=pendiente.id, empleado_id=empleado.id, hora_inicio=inicio)

    abierta = sesion()
    session.add(abierta)
    session.flush()
    with rechazado(session, "uq_pendientes_tiempos_sesion_abierta"):
        session.add(sesion())
    with rechazado(session, "ck_pendientes_tiempos_hora_fin"):
        abierta.hora_fin = inicio - timedelta(minutes=1)

    abierta.hora_fin = inicio + timedelta(hours=1)
    session.add(sesion())
    session.flush()


def test_total_del_item_debe_ser_cantidad_por_costo(session: Session, pendiente: Pendiente) -> None:
    producto = Producto(nombre="Router", costo_unitario=Decimal("85.50"))
    session.add(producto)
    session.flush()

    def item(total: str) -> PendienteItem:
        return PendienteItem(
            pendiente_id=pendiente.id,
            producto_id=producto.id,
            cantidad=2,
            costo_unitario=Decimal("85.50"),
            costo_total=Decimal(total),
        )

    with rechazado(session, "ck_pendientes_items_costo_total"):
        session.add(item("100.00"))
    session.add(item("171.00"))
    session.flush()


def test_valores_generados_por_la_base_quedan_cargados(session: Session, empleado: Empleado) -> None:
    """Async sessions cannot lazy-load an expired attribute, so writes must bring these back."""
    pendiente = nuevo_pendiente(empleado)
    session.add(pendiente)
    session.flush()
    assert {"id", "estado", "estado_tecnico", "seq", "vencido", "vigente", "fecha_creacion"}.isdisjoint(
        inspect(pendiente).unloaded
    )
    assert pendiente.estado is EstadoPendiente.REGISTRADO

    pendiente.estado = EstadoPendiente.ASIGNADO
    session.flush()
    assert "fecha_modificacion" not in inspect(pendiente).unloaded
    assert pendiente.fecha_modificacion is not None


# --- Models, migration and enums in step -----------------------------------------------------------


def test_modelos_coinciden_con_la_migracion(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        assert compare_metadata(context, Base.metadata) == []


def catalogo(url: str) -> dict[str, set[tuple[Any, ...]]]:
    """Columns, constraints and indexes as Postgres itself describes them (Alembic does not compare CHECK
    constraints or partial-index predicates)."""
    queries = {
        "columnas": """
            SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                   pg_get_expr(d.adbin, d.adrelid), a.attidentity
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
              AND a.attnum > 0 AND NOT a.attisdropped AND c.relname <> 'alembic_version'""",
        "restricciones": """
            SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
            FROM pg_constraint
            WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> 'alembic_version'""",
        "indices": """
            SELECT tablename, indexname, indexdef FROM pg_indexes
            WHERE schemaname = 'public' AND tablename <> 'alembic_version'""",
    }
    with psycopg.connect(url) as connection:
        return {name: set(connection.execute(sql).fetchall()) for name, sql in queries.items()}


@pytest.fixture
def base_nueva(postgres_server_url: str) -> Iterator[str]:
    url = create_database(postgres_server_url, "esquema")
    yield url
    with psycopg.connect(postgres_server_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE "{urlsplit(url).path.lstrip("/")}"')


def test_migracion_crea_lo_mismo_que_los_modelos(database_url: str, base_nueva: str) -> None:
    engine = create_engine(to_sqlalchemy_url(base_nueva), poolclass=pool.NullPool)
    Base.metadata.create_all(engine)
    engine.dispose()

    migrada, desde_modelos = catalogo(database_url), catalogo(base_nueva)
    for parte in ("columnas", "restricciones", "indices"):
        assert migrada[parte] - desde_modelos[parte] == set(), f"{parte} only in the migration"
        assert desde_modelos[parte] - migrada[parte] == set(), f"{parte} only in the models"


def test_downgrade_a_base_y_upgrade_de_nuevo(base_nueva: str) -> None:
    upgrade(base_nueva)
    downgrade(base_nueva, "base")
    with psycopg.connect(base_nueva) as connection:
        restos = connection.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace"
            " AND relname NOT LIKE 'alembic_version%'"
        ).fetchall()
    assert restos == []

    upgrade(base_nueva)
    with psycopg.connect(base_nueva) as connection:
        tablas = {
            r[0] for r in connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        }
    assert tablas == set(Base.metadata.tables) | {"alembic_version"}
