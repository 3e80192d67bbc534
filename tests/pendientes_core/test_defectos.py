"""Reference §9 defects of the pendiente core that the other files of this folder do not already name:

- 1, 9: test_detalles.test_las_respuestas_incluyen_vlan_y_pppoe (clean VLAN paths, vlan/ppoe everywhere)
- 12, 30: test_editar_eliminar (an edit endpoint, partial PUT/PATCH)
- 14: test_detalles.test_tipo_de_la_ruta_distinto_del_pendiente_es_409, test_un_segundo_post_es_409
- 16: test_listado (titulo, usuarioId, date range, unknown sort)
- 31: test_detalles.test_costo_fijo_es_decimal_como_numero_o_texto
"""

from __future__ import annotations

import pytest

from tests.pendientes_core.conftest import error


@pytest.mark.parametrize(
    ("extra", "campo"),
    [
        ({"estado": "ASIGNADO"}, "estado"),
        ({"estado": "FINALIZADO"}, "estado"),
        ({"estadoTecnico": "PENDIENTE_VLAN"}, "estadoTecnico"),
    ],
)
async def test_13_crear_con_otro_estado_es_422(http, h, nuevo_cliente, extra, campo):
    cliente = await nuevo_cliente()
    cuerpo = {"clienteId": cliente, "tipo": "AVERIA", "lugar": "PUNO", "prioridad": "BAJA"} | extra
    error(await http.post("/api/pendientes", json=cuerpo, headers=h["coordinadora"]), 422, campo)
    r = await http.post("/api/pendientes/filtrar", json={"clienteId": cliente}, headers=h["coordinadora"])
    assert r.json()["data"]["totalElements"] == 0


async def test_13_los_valores_iniciales_se_aceptan(http, h, nuevo_cliente, alta):
    data = await alta(await nuevo_cliente(), estado="REGISTRADO", estadoTecnico=None)
    assert (data["estado"], data["estadoTecnico"]) == ("REGISTRADO", "OK")


async def test_16_titulo_ya_no_es_500(http, h):
    for cuerpo in ({"titulo": "juliaca"}, {"titulo": "  "}, {"titulo": "'; drop table pendientes; --"}):
        r = await http.post("/api/pendientes/filtrar", json=cuerpo, headers=h["coordinadora"])
        assert r.status_code == 200, r.text


async def test_38_las_lecturas_son_get(http, h):
    assert (await http.get("/api/pendientes/filtros", headers=h["tecnico"])).status_code == 200
    assert (await http.get("/api/pendientes", headers=h["tecnico"])).status_code == 200
