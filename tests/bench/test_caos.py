"""The chaos run, short: the real product under the supervisor (`python -m ops.run`), load from
both kinds of client (with and without Idempotency-Key), and `kill -9` of the worker, the API, the
Temporal server and Postgres in turn, each while actions of both kinds are in flight. Then: no 2xx is
missing from the historial, no change is written twice, no refusal was written, and every pendiente's
row agrees with its workflow before any repair. The full run is `python -m bench.caos` (README, "Chaos
run"); this one is the same code with a small load.
"""

from __future__ import annotations

import pytest

from bench.caos.ronda import Config, Fila, Resultado, ejecutar, pormenores

FALLOS = ("worker", "api", "temporal", "postgres")
CLIENTES = ("con_clave", "sin_clave")
OPERACIONES = 40  # per client kind and round: 80 per fault, 320 in all
CORTA = Config(
    operaciones=OPERACIONES,
    llamadores=4,
    pendientes=6,
    fallos=FALLOS,
    fraccion=0.3,
    plazo_ronda=90,
    espera_operacion=60,
    espera_update=5,
)


@pytest.fixture(scope="module")
def corrida() -> Resultado:
    return ejecutar(CORTA, avisar=lambda _: None)


def _fila(corrida: Resultado, fallo: str, cliente: str) -> Fila:
    filas = [f for f in corrida.filas if (f.fallo, f.cliente) == (fallo, cliente)]
    assert len(filas) == 1, [(f.fallo, f.cliente) for f in corrida.filas]
    return filas[0]


@pytest.mark.parametrize("cliente", CLIENTES)
@pytest.mark.parametrize("fallo", FALLOS)
def test_nothing_lost_duplicated_or_diverged(corrida: Resultado, fallo: str, cliente: str) -> None:
    fila = _fila(corrida, fallo, cliente)
    informe = pormenores([fila])
    # The load really went through the fault: every operation was taken, some were in flight when the
    # child died, and actions sent after the kill were applied again once it was back.
    assert fila.operaciones == OPERACIONES
    assert fila.en_vuelo >= 1
    assert fila.vuelta is not None and fila.primer_2xx is not None, informe
    assert fila.exitos + fila.confirmadas > 0
    # The product's promise.
    assert fila.perdidas == 0, informe
    assert fila.duplicadas == 0, informe
    assert fila.escritas_rechazadas == 0, informe
    assert fila.divergentes == 0, informe
    assert fila.no_verificables == 0, informe
    # A fault is answered 503 (with the way to learn the outcome), never another 5xx.
    assert fila.otros_5xx == 0, informe


def test_the_run_leaves_no_process_behind(corrida: Resultado) -> None:
    assert corrida.restos == []
    assert [(f.fallo, f.cliente) for f in corrida.filas] == [(f, c) for f in FALLOS for c in CLIENTES]
