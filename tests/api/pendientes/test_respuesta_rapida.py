"""A pendiente's answer is built without validation (`model_construct`, api/pendientes/servicio.py):
validating what it builds must change nothing, for every shape a row can take (with and without a
technician, an empresa, labels, a running or stopped SLA clock), in the list and in the single read."""

from __future__ import annotations

import uuid
import warnings

from sqlalchemy import select

from api.pendientes.esquemas import PendienteResponse
from db import models as m


async def _etiquetar(sessions, pendiente_id: int) -> None:
    async with sessions.begin() as s:
        etiquetas = [
            m.Etiqueta(nombre=f"Rápida {uuid.uuid4().hex[:8]} ñ"),
            m.Etiqueta(nombre="a" + uuid.uuid4().hex),
        ]
        s.add_all(etiquetas)
        await s.flush()
        s.add_all(m.PendienteEtiqueta(pendiente_id=pendiente_id, etiqueta_id=e.id) for e in etiquetas)


async def test_lo_construido_sin_validar_es_lo_que_daria_validarlo(http, h, crear, sessions):
    ids = [
        await crear("REGISTRADO"),
        await crear("ASIGNADO"),
        await crear("EN_PROGRESO", tipo="INSTALACION_INTERNET"),
        await crear("POSTERGADO"),
        await crear("FINALIZADO"),
    ]
    await _etiquetar(sessions, ids[1])
    async with sessions.begin() as s:
        await s.execute(m.Pendiente.__table__.update().where(m.Pendiente.id == ids[0]).values(empresa=None))
        cliente = await s.scalar(select(m.Pendiente.cliente_id).where(m.Pendiente.id == ids[0]))

    # A value of another type than the field's would make pydantic warn while serializing: an error here.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = await http.get(f"/api/pendientes?size=100&clienteId={cliente}", headers=h["coordinadora"])
        unicas = [await http.get(f"/api/pendientes/{i}", headers=h["coordinadora"]) for i in ids]
    assert r.status_code == 200
    assert all(u.status_code == 200 for u in unicas)
    filas = {f["id"]: f for f in r.json()["data"]["content"]}
    assert set(ids) <= set(filas)
    for pendiente_id, unica in zip(ids, unicas, strict=True):
        for visto in (filas[pendiente_id], unica.json()["data"]):
            validado = PendienteResponse.model_validate(visto)
            # The same fields, in the same order, with the same JSON values.
            assert list(validado.model_dump(mode="json", by_alias=True)) == list(visto)
            assert (
                validado.model_dump(mode="json", by_alias=True)
                | {"slaTranscurridoMinutos": visto["slaTranscurridoMinutos"]}
                == visto
            )

    conjunto = filas[ids[1]]
    assert [e["nombre"] for e in conjunto["etiquetas"]] == sorted(
        (e["nombre"] for e in conjunto["etiquetas"]), key=str.lower
    )
    assert len(conjunto["etiquetas"]) == 2
    assert conjunto["asignadoA"] is not None and filas[ids[0]]["asignadoA"] is None
    assert filas[ids[0]]["empresa"] is None
