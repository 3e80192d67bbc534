"""The SLA clock as pure rules: when it runs, where the escalations fall, what a priority change does,
and the property the workflow's timer loop depends on (a timer that fires at the instant
`proxima_escalada` gave always finds its escalation, or the loop would spin)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain import sla
from domain.enums import EstadoPendiente as E
from domain.enums import EstadoSla

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
HORA = 3600


def test_el_reloj_corre_desde_la_creacion_y_vence_en_su_plazo():
    reloj = sla.iniciar(4 * HORA, E.REGISTRADO, T0)
    assert sla.vence(reloj) == T0 + timedelta(hours=4)
    assert sla.proxima_escalada(reloj) == T0 + timedelta(hours=2)
    assert sla.consumido(reloj, T0 + timedelta(minutes=90)) == 90 * 60


def test_postergar_y_por_validar_detienen_el_reloj_y_volver_lo_reanuda():
    reloj = sla.iniciar(4 * HORA, E.ASIGNADO, T0)
    for detenido in (E.POSTERGADO, E.POR_VALIDAR, E.FINALIZADO, E.CANCELADO):
        parado = sla.seguir(reloj, detenido, T0 + timedelta(hours=1))
        assert parado.desde is None and parado.consumido_seg == HORA
        assert sla.vence(parado) is None and sla.proxima_escalada(parado) is None
        # Ten hours stopped count for nothing.
        vuelto = sla.seguir(parado, E.ASIGNADO, T0 + timedelta(hours=11))
        assert sla.vence(vuelto) == T0 + timedelta(hours=14)


def test_revision_y_observado_no_detienen_el_reloj():
    reloj = sla.iniciar(4 * HORA, E.EN_PROGRESO, T0)
    for abierto in (E.REVISION, E.OBSERVADO, E.PAUSADO):
        assert sla.seguir(reloj, abierto, T0 + timedelta(hours=1)) == reloj


def test_las_escaladas_caen_al_50_75_y_100_por_ciento():
    reloj = sla.iniciar(72 * HORA, E.REGISTRADO, T0)
    instantes = []
    while (cuando := sla.proxima_escalada(reloj)) is not None:
        reloj, umbral = sla.escalar(reloj, cuando)
        instantes.append((cuando - T0, umbral.accion, sla.estado_sla(reloj, E.ASIGNADO)))
    assert instantes == [
        (timedelta(hours=36), "sla_50", EstadoSla.EN_RIESGO),
        (timedelta(hours=54), "sla_75", EstadoSla.EN_RIESGO),
        (timedelta(hours=72), "sla_100", EstadoSla.INCUMPLIDO),
    ]


def test_tras_una_caida_larga_se_escala_una_vez_hasta_donde_esta_el_reloj():
    reloj = sla.iniciar(4 * HORA, E.REGISTRADO, T0)
    reloj, umbral = sla.escalar(reloj, T0 + timedelta(hours=5))
    assert (reloj.nivel, umbral.accion) == (100, "sla_100")
    assert sla.proxima_escalada(reloj) is None


def test_un_cambio_de_prioridad_conserva_lo_contado_y_recalcula_el_nivel():
    reloj = sla.iniciar(4 * HORA, E.ASIGNADO, T0)
    reloj, _ = sla.escalar(reloj, T0 + timedelta(hours=3))
    assert reloj.nivel == 75
    baja = sla.con_plazo(reloj, 168 * HORA, T0 + timedelta(hours=3))
    assert baja.nivel == 0 and sla.estado_sla(baja, E.ASIGNADO) is EstadoSla.EN_PLAZO
    assert sla.vence(baja) == T0 + timedelta(hours=168)
    # Tightened past its deadline: due at once.
    urgente = sla.con_plazo(baja, 2 * HORA, T0 + timedelta(hours=3))
    assert sla.proxima_escalada(urgente) <= T0 + timedelta(hours=3)


def test_el_trabajo_resuelto_a_tiempo_esta_en_plazo_y_el_incumplido_sigue_incumplido():
    reloj = sla.iniciar(4 * HORA, E.ASIGNADO, T0)
    riesgo, _ = sla.escalar(reloj, T0 + timedelta(hours=2))
    assert sla.estado_sla(riesgo, E.POR_VALIDAR) is EstadoSla.EN_PLAZO
    assert sla.estado_sla(riesgo, E.POSTERGADO) is EstadoSla.EN_RIESGO
    vencido, _ = sla.escalar(reloj, T0 + timedelta(hours=4))
    assert sla.estado_sla(vencido, E.FINALIZADO) is EstadoSla.INCUMPLIDO


@given(
    plazo=st.integers(min_value=1, max_value=400 * 24 * HORA),
    consumido=st.integers(min_value=0, max_value=400 * 24 * HORA),
    nivel=st.sampled_from([0, 50, 75]),
    microsegundos=st.integers(min_value=0, max_value=999_999),
)
def test_un_temporizador_que_dispara_a_su_hora_siempre_encuentra_su_escalada(
    plazo, consumido, nivel, microsegundos
):
    desde = T0 + timedelta(microseconds=microsegundos)
    reloj = sla.RelojSla(plazo_seg=plazo, consumido_seg=consumido, desde=desde, nivel=nivel)
    cuando = sla.proxima_escalada(reloj)
    assert cuando is not None
    # At the instant (or later, or earlier when already overdue): never "nothing due".
    ahora = max(cuando, desde)
    escalada = sla.escalar(reloj, ahora)
    assert escalada is not None and escalada[0].nivel > nivel
