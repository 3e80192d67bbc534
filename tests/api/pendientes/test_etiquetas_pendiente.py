"""Labels on a pendiente: set / add / remove through the workflow (answer, GET, list, historial, version,
Temporal search attribute), filters any/all, the peer-style cancel with `labels_ids`, permissions."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import select

from db import models as m
from infra.temporal import workflow_id
from workflows import busqueda


def url(pendiente_id: int, resto: str = "") -> str:
    return f"/api/pendientes/{pendiente_id}{resto}"


@pytest.fixture
def etiqueta(http, h):
    """Factory: a fresh label; returns {id, nombre}."""

    async def _etiqueta(prefijo: str = "Et") -> dict:
        cuerpo = {"nombre": f"{prefijo} {uuid.uuid4().hex[:8]}"}
        r = await http.post("/api/etiquetas", json=cuerpo, headers=h["coordinadora"])
        assert r.status_code == 201, r.text
        return {"id": r.json()["data"]["id"], "nombre": r.json()["data"]["nombre"]}

    return _etiqueta


async def leer(http, h, pendiente_id: int) -> dict:
    r = await http.get(url(pendiente_id), headers=h["administrador"])
    assert r.status_code == 200, r.text
    return r.json()["data"]


def ids(pendiente: dict) -> list[int]:
    return sorted(e["id"] for e in pendiente["etiquetas"])


async def poner(http, h, pendiente_id: int, etiquetas: list[int], rol="coordinadora", **headers) -> dict:
    r = await http.put(
        url(pendiente_id, "/etiquetas"), json={"etiquetaIds": etiquetas}, headers=h[rol] | headers
    )
    assert r.status_code == 200, r.text
    return r.json()["data"]


async def ultima_entrada(sessions, pendiente_id: int) -> m.Historial:
    async with sessions() as s:
        return await s.scalar(
            select(m.Historial)
            .where(m.Historial.pendiente_id == pendiente_id)
            .order_by(m.Historial.seq.desc())
        )


async def test_poner_agregar_y_quitar(http, h, crear, etiqueta, sessions):
    pendiente_id = await crear("REGISTRADO")
    a, b, c = await etiqueta("A"), await etiqueta("B"), await etiqueta("C")
    antes = await leer(http, h, pendiente_id)
    assert antes["etiquetas"] == []

    puesto = await poner(http, h, pendiente_id, [b["id"], a["id"]])
    assert sorted(puesto["etiquetas"], key=lambda e: e["id"]) == sorted([a, b], key=lambda e: e["id"])
    assert puesto["version"] == antes["version"] + 1
    assert ids(await leer(http, h, pendiente_id)) == sorted([a["id"], b["id"]])
    entrada = await ultima_entrada(sessions, pendiente_id)
    assert entrada.accion == "etiquetar" and entrada.seq == puesto["version"]
    assert a["nombre"] in entrada.detalles and b["nombre"] in entrada.detalles

    r = await http.post(url(pendiente_id, f"/etiquetas/{c['id']}"), headers=h["coordinadora"])
    assert r.status_code == 200, r.text
    assert ids(r.json()["data"]) == sorted([a["id"], b["id"], c["id"]])

    r = await http.delete(url(pendiente_id, f"/etiquetas/{a['id']}"), headers=h["coordinadora"])
    assert r.status_code == 200, r.text
    assert ids(r.json()["data"]) == sorted([b["id"], c["id"]])
    assert ids(await leer(http, h, pendiente_id)) == sorted([b["id"], c["id"]])

    vacio = await poner(http, h, pendiente_id, [])
    assert vacio["etiquetas"] == [] and vacio["version"] == puesto["version"] + 3


async def test_sin_cambio_no_escribe_ni_sube_version(http, h, crear, etiqueta):
    pendiente_id = await crear("REGISTRADO")
    a = await etiqueta()
    primera = await poner(http, h, pendiente_id, [a["id"]])
    r = await http.post(url(pendiente_id, f"/etiquetas/{a['id']}"), headers=h["coordinadora"])
    assert r.json()["data"]["version"] == primera["version"]
    otra = await etiqueta()
    r = await http.delete(url(pendiente_id, f"/etiquetas/{otra['id']}"), headers=h["coordinadora"])
    assert r.status_code == 200 and r.json()["data"]["version"] == primera["version"]


async def test_agregados_concurrentes_no_se_pierden(http, h, crear, etiqueta):
    pendiente_id = await crear("ASIGNADO")
    etiquetas = [await etiqueta() for _ in range(4)]
    respuestas = await asyncio.gather(
        *(http.post(url(pendiente_id, f"/etiquetas/{e['id']}"), headers=h["coordinadora"]) for e in etiquetas)
    )
    assert all(r.status_code == 200 for r in respuestas), [r.text for r in respuestas]
    assert ids(await leer(http, h, pendiente_id)) == sorted(e["id"] for e in etiquetas)


async def test_idempotency_key_aplica_una_vez(http, h, crear, etiqueta):
    pendiente_id = await crear("REGISTRADO")
    a, b = await etiqueta(), await etiqueta()
    clave = {"Idempotency-Key": f"et-{uuid.uuid4().hex}"}
    primera = await poner(http, h, pendiente_id, [a["id"]], **clave)
    repetida = await poner(http, h, pendiente_id, [a["id"]], **clave)
    assert repetida["version"] == primera["version"]
    # The same key for another request is refused.
    r = await http.put(
        url(pendiente_id, "/etiquetas"), json={"etiquetaIds": [b["id"]]}, headers=h["coordinadora"] | clave
    )
    assert r.status_code == 422, r.text
    assert ids(await leer(http, h, pendiente_id)) == [a["id"]]


async def test_if_match_obsoleto_da_409(http, h, crear, etiqueta):
    pendiente_id = await crear("REGISTRADO")
    a = await etiqueta()
    version = (await leer(http, h, pendiente_id))["version"]
    r = await http.put(
        url(pendiente_id, "/etiquetas"),
        json={"etiquetaIds": [a["id"]]},
        headers=h["coordinadora"] | {"If-Match": f'"{version + 5}"'},
    )
    assert r.status_code == 409, r.text
    assert (await leer(http, h, pendiente_id))["etiquetas"] == []


async def test_ids_desconocidos_o_eliminados_dan_422(http, h, crear, etiqueta):
    pendiente_id = await crear("REGISTRADO")
    viva, borrada = await etiqueta(), await etiqueta()
    assert (
        await http.delete(f"/api/etiquetas/{borrada['id']}", headers=h["coordinadora"])
    ).status_code == 200
    for lista in ([viva["id"], 987654321], [borrada["id"]]):
        r = await http.put(
            url(pendiente_id, "/etiquetas"), json={"etiquetaIds": lista}, headers=h["coordinadora"]
        )
        assert r.status_code == 422, r.text
        assert r.json()["data"]["campo"] == "etiquetaIds"
    r = await http.post(url(pendiente_id, f"/etiquetas/{borrada['id']}"), headers=h["coordinadora"])
    assert r.status_code == 422 and r.json()["data"]["campo"] == "etiquetaIds"
    assert (await leer(http, h, pendiente_id))["etiquetas"] == []


async def test_etiqueta_eliminada_desaparece_de_la_respuesta(http, h, crear, etiqueta):
    pendiente_id = await crear("REGISTRADO")
    a, b = await etiqueta(), await etiqueta()
    await poner(http, h, pendiente_id, [a["id"], b["id"]])
    await http.delete(f"/api/etiquetas/{a['id']}", headers=h["coordinadora"])
    assert ids(await leer(http, h, pendiente_id)) == [b["id"]]
    # Renaming shows at once in every answer.
    await http.put(
        f"/api/etiquetas/{b['id']}", json={"nombre": b["nombre"] + " bis"}, headers=h["coordinadora"]
    )
    assert (await leer(http, h, pendiente_id))["etiquetas"][0]["nombre"] == b["nombre"] + " bis"


async def test_permisos(http, h, crear, etiqueta, personas):
    pendiente_id = await crear("ASIGNADO")
    a = await etiqueta()
    cuerpo = {"etiquetaIds": [a["id"]]}
    for rol in ("asesor", "tecnico", "red"):
        assert (
            await http.put(url(pendiente_id, "/etiquetas"), json=cuerpo, headers=h[rol])
        ).status_code == 403
        r = await http.post(url(pendiente_id, f"/etiquetas/{a['id']}"), headers=h[rol])
        assert r.status_code == 403
    assert (await leer(http, h, pendiente_id))["etiquetas"] == []
    # The assigned technician sees the labels on their pendiente.
    await poner(http, h, pendiente_id, [a["id"]])
    r = await http.get(url(pendiente_id), headers=h["tecnico"])
    assert r.status_code == 200 and ids(r.json()["data"]) == [a["id"]]


async def test_pendiente_finalizado_no_cambia_de_etiquetas(http, h, crear, etiqueta):
    pendiente_id = await crear("FINALIZADO")
    a = await etiqueta()
    r = await http.put(
        url(pendiente_id, "/etiquetas"), json={"etiquetaIds": [a["id"]]}, headers=h["coordinadora"]
    )
    assert r.status_code == 409, r.text


async def atributo(temporal_env, pendiente_id: int, esperado: list[str] | None) -> list[str] | None:
    """The Etiquetas search attribute as Temporal describes the workflow (waits briefly for it)."""
    handle = temporal_env.client.get_workflow_handle(workflow_id(pendiente_id))
    valor = None
    for _ in range(50):
        valor = (await handle.describe()).typed_search_attributes.get(busqueda.ETIQUETAS)
        if (sorted(valor) if valor else None) == esperado:
            break
        await asyncio.sleep(0.1)
    return sorted(valor) if valor else None


async def test_atributo_de_busqueda_etiquetas(http, h, crear, etiqueta, temporal_env):
    pendiente_id = await crear("REGISTRADO")
    a, b = await etiqueta("Visible UI"), await etiqueta("Visible UI")
    await poner(http, h, pendiente_id, [a["id"], b["id"]])
    assert await atributo(temporal_env, pendiente_id, sorted([a["nombre"], b["nombre"]])) == sorted(
        [a["nombre"], b["nombre"]]
    )
    encontrados: list[str] = []
    for _ in range(50):
        consulta = f'Etiquetas = "{a["nombre"]}"'
        encontrados = [w.id async for w in temporal_env.client.list_workflows(consulta)]
        if encontrados:
            break
        await asyncio.sleep(0.2)
    assert encontrados == [workflow_id(pendiente_id)]

    await http.delete(url(pendiente_id, f"/etiquetas/{a['id']}"), headers=h["coordinadora"])
    assert await atributo(temporal_env, pendiente_id, [b["nombre"]]) == [b["nombre"]]
    await poner(http, h, pendiente_id, [])
    assert await atributo(temporal_env, pendiente_id, None) is None


async def test_filtrar_por_etiquetas_alguna_y_todas(http, h, crear, etiqueta):
    a, b = await etiqueta(), await etiqueta()
    solo_a, ambas, solo_b, ninguna = [await crear("REGISTRADO") for _ in range(4)]
    await poner(http, h, solo_a, [a["id"]])
    await poner(http, h, ambas, [a["id"], b["id"]])
    await poner(http, h, solo_b, [b["id"]])

    async def filtrar(cuerpo: dict) -> set[int]:
        r = await http.post("/api/pendientes/filtrar?size=100", json=cuerpo, headers=h["coordinadora"])
        assert r.status_code == 200, r.text
        return {p["id"] for p in r.json()["data"]["content"]}

    async def listar(query: str) -> set[int]:
        r = await http.get(f"/api/pendientes?size=100&{query}", headers=h["coordinadora"])
        assert r.status_code == 200, r.text
        return {p["id"] for p in r.json()["data"]["content"]}

    ab = [a["id"], b["id"]]
    assert await filtrar({"etiquetas": ab}) == {solo_a, ambas, solo_b}
    assert await filtrar({"etiquetas": ab, "etiquetasModo": "alguna"}) == {solo_a, ambas, solo_b}
    assert await filtrar({"etiquetas": ab, "etiquetasModo": "todas"}) == {ambas}
    assert await filtrar({"etiquetas": [a["id"]]}) == {solo_a, ambas}
    assert await listar(f"etiquetas={a['id']},{b['id']}&etiquetasModo=todas") == {ambas}
    assert await listar(f"etiquetas={b['id']}&etiquetas={a['id']}") == {solo_a, ambas, solo_b}
    # The list's answers carry the labels too.
    r = await http.post(
        "/api/pendientes/filtrar", json={"etiquetas": ab, "etiquetasModo": "todas"}, headers=h["coordinadora"]
    )
    assert ids(r.json()["data"]["content"][0]) == sorted(ab)
    r = await http.post("/api/pendientes/filtrar", json={"etiquetasModo": "casi"}, headers=h["coordinadora"])
    assert r.status_code == 422 and r.json()["data"]["campo"] == "etiquetasModo"
    # A deleted label no longer matches.
    await http.delete(f"/api/etiquetas/{a['id']}", headers=h["coordinadora"])
    assert await filtrar({"etiquetas": [a["id"]]}) == set()
    assert ninguna not in await filtrar({"etiquetas": ab})


# -- The peer's writes: PUT /{id} {labels_ids}, cancel ------------------------------------------------


async def test_put_como_persat_reemplaza_etiquetas(http, h, crear, etiqueta, sessions):
    pendiente_id = await crear("REGISTRADO")
    a, b = await etiqueta(), await etiqueta()
    antes = await poner(http, h, pendiente_id, [a["id"]])
    cuerpo = {"labels_ids": [b["id"], 987654323]}
    r = await http.put(url(pendiente_id), json=cuerpo, headers=h["coordinadora"])
    assert r.status_code == 200, r.text
    assert ids(r.json()["data"]) == [b["id"]] and r.json()["data"]["version"] == antes["version"] + 1
    assert "987654323" in r.json()["message"]
    assert (await ultima_entrada(sessions, pendiente_id)).accion == "etiquetar"
    r = await http.put(url(pendiente_id), json={"labels_ids": []}, headers=h["coordinadora"])
    assert r.status_code == 200 and r.json()["data"]["etiquetas"] == []
    # Mixed with a header edit it is refused (one request, one change), naming the other field.
    r = await http.put(
        url(pendiente_id), json={"labels_ids": [a["id"]], "prioridad": "BAJA"}, headers=h["coordinadora"]
    )
    assert r.status_code == 422 and r.json()["data"]["campo"] == "prioridad"
    r = await http.put(url(pendiente_id), json={"labels_ids": "x"}, headers=h["coordinadora"])
    assert r.status_code == 422 and r.json()["data"]["campo"].startswith("labels_ids")
    assert (
        await http.put(url(pendiente_id), json={"labels_ids": []}, headers=h["asesor"])
    ).status_code == 403


# -- The peer-style cancel ------------------------------------------------------------------------------


async def cancelar(http, h, pendiente_id: int, cuerpo: dict, rol: str = "coordinadora"):
    return await http.post(url(pendiente_id, "/cancel"), json=cuerpo, headers=h[rol])


async def test_cancel_reemplaza_etiquetas_en_el_mismo_cambio(
    http, h, crear, etiqueta, sessions, temporal_env
):
    pendiente_id = await crear("ASIGNADO")
    a, b, c = await etiqueta(), await etiqueta(), await etiqueta("Cancelada por email")
    antes = await poner(http, h, pendiente_id, [a["id"], b["id"]])
    r = await cancelar(
        http, h, pendiente_id, {"cause": "cliente desiste", "labels_ids": [c["id"], 987654321]}
    )
    assert r.status_code == 200, r.text
    datos = r.json()["data"]
    assert datos["estado"] == "CANCELADO"
    assert ids(datos) == [c["id"]]
    assert datos["version"] == antes["version"] + 1  # one change: cancel and labels together
    assert "987654321" in r.json()["message"]
    entrada = await ultima_entrada(sessions, pendiente_id)
    assert entrada.accion == "cancelar" and entrada.seq == datos["version"]
    assert "cliente desiste" in entrada.detalles and c["nombre"] in entrada.detalles
    assert ids(await leer(http, h, pendiente_id)) == [c["id"]]
    assert await atributo(temporal_env, pendiente_id, [c["nombre"]]) == [c["nombre"]]


async def test_cancel_sin_labels_conserva_y_vacio_quita(http, h, crear, etiqueta):
    a = await etiqueta()
    conserva, quita = await crear("REGISTRADO"), await crear("REGISTRADO")
    for pendiente_id in (conserva, quita):
        await poner(http, h, pendiente_id, [a["id"]])
    r = await cancelar(http, h, conserva, {"cause": "sin etiquetas en el cuerpo"})
    assert r.status_code == 200, r.text
    assert ids(r.json()["data"]) == [a["id"]]
    assert "desconocidas" not in r.json()["message"]
    antes = (await leer(http, h, quita))["version"]
    r = await cancelar(http, h, quita, {"cause": "limpiar", "labels_ids": []})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["etiquetas"] == [] and r.json()["data"]["version"] == antes + 1


async def test_cancel_solo_con_ids_desconocidos_no_falla(http, h, crear, etiqueta):
    pendiente_id = await crear("REGISTRADO")
    a = await etiqueta()
    await poner(http, h, pendiente_id, [a["id"]])
    r = await cancelar(http, h, pendiente_id, {"cause": "x", "labels_ids": [-1, 987654322]})
    assert r.status_code == 200, r.text
    # The list replaces the labels: its known part is empty.
    assert r.json()["data"]["etiquetas"] == []
    assert "987654322" in r.json()["message"] and "-1" in r.json()["message"]


async def test_cancel_rechazado_no_toca_etiquetas(http, h, crear, etiqueta):
    pendiente_id = await crear("EN_PROGRESO")
    a, b = await etiqueta(), await etiqueta()
    await poner(http, h, pendiente_id, [a["id"]])
    antes = await leer(http, h, pendiente_id)
    r = await cancelar(http, h, pendiente_id, {"cause": "x", "labels_ids": [b["id"]]}, rol="asesor")
    assert r.status_code == 403
    despues = await leer(http, h, pendiente_id)
    assert ids(despues) == [a["id"]] and despues["version"] == antes["version"]


async def test_cancel_con_etiquetas_basta_cancelar_pendiente(http, cuenta, h, crear, etiqueta):
    """Labels in the peer's cancel need only the cancel's permission, not EDITAR_PENDIENTE."""
    pendiente_id = await crear("REGISTRADO")
    a = await etiqueta()
    cancelador = await cuenta("CANCELAR_PENDIENTE", "VER_TODOS")
    r = await http.post(
        url(pendiente_id, "/cancel"), json={"cause": "x", "labels_ids": [a["id"]]}, headers=cancelador
    )
    assert r.status_code == 200, r.text
    assert ids(r.json()["data"]) == [a["id"]]


# -- Events: a label change is one event whose pendiente carries the labels as the API shows them ------


async def eventos_de(sessions, pendiente_id: int, desde: int) -> list[m.Evento]:
    async with sessions() as s:
        consulta = (
            select(m.Evento)
            .where(m.Evento.pendiente_id == pendiente_id, m.Evento.seq > desde)
            .order_by(m.Evento.numero)
        )
        return list(await s.scalars(consulta))


async def test_etiquetar_y_cancelar_como_persat_escriben_un_evento_cada_uno(
    http, h, crear, etiqueta, sessions
):
    pendiente_id = await crear("REGISTRADO")
    a, b = await etiqueta(), await etiqueta()
    antes = (await leer(http, h, pendiente_id))["version"]
    puesto = await poner(http, h, pendiente_id, [a["id"]])
    r = await cancelar(http, h, pendiente_id, {"cause": "x", "labels_ids": [b["id"]]})
    assert r.status_code == 200, r.text
    escritos = await eventos_de(sessions, pendiente_id, antes)
    assert [(e.tipo, e.seq) for e in escritos] == [
        ("pendiente.etiquetado", puesto["version"]),
        ("pendiente.cancelado", puesto["version"] + 1),
    ]
    assert escritos[0].datos["pendiente"]["etiquetas"] == [{"id": a["id"], "nombre": a["nombre"]}]
    assert escritos[1].datos["pendiente"]["etiquetas"] == [{"id": b["id"], "nombre": b["nombre"]}]
    assert escritos[1].datos["pendiente"]["estado"] == "CANCELADO"
