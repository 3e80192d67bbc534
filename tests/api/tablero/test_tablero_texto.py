"""The board's text search: each matching pendiente once, and the counts are of pendientes (the client
the text is looked for in must not multiply the rows)."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select

from db import models as m


async def test_buscar_por_direccion_muestra_cada_pendiente_una_vez(navegante, ingresar, http, h, sessions):
    async with sessions() as s:
        clientes = list(await s.scalars(select(m.Cliente.id).order_by(m.Cliente.id).limit(2)))
    assert len(clientes) == 2
    direccion = f"Jr. Buscada {uuid.uuid4().hex[:10]}"
    creados = []
    for cliente in clientes:
        cuerpo = {"clienteId": cliente, "tipo": "RECOJO_DISPOSITIVOS", "lugar": "PUNO", "prioridad": "MEDIA"}
        cuerpo |= {"direccion": direccion, "detalle": {"dispositivo": "ROUTER"}}
        r = await http.post("/api/pendientes", json=cuerpo, headers=h["coordinadora"])
        assert r.status_code == 201, r.text
        creados.append(r.json()["data"]["id"])
    await ingresar("coordinadora")
    pagina = await navegante.get("/tablero", params={"texto": direccion})
    assert pagina.status_code == 200
    tarjetas = re.findall(r'id="pendiente-(\d+)"', pagina.text)
    assert sorted(map(int, tarjetas)) == sorted(creados)
    assert "2 pendientes" in pagina.text
    registrado = re.search(r'data-estado="REGISTRADO">\s*<h2>[^<]*<span class="conteo">(\d+)<', pagina.text)
    assert registrado and registrado.group(1) == "2"
