"""/app/app-version: public reads without envelope, publishing only for ADMINISTRAR (defect 21)."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from tests.conftest import auth

BASE = "/app/app-version"
CAMPOS = {"id", "versionCode", "plataforma", "obligatoria", "descripcion", "fechaPublicacion", "vigente"}


def plataforma() -> str:
    """A platform of this test alone, so `ultima` is deterministic whatever other tests publish."""
    return f"P{uuid.uuid4().hex[:10].upper()}"


async def _publicar(http, admin, **extra) -> dict:
    cuerpo = {"versionCode": "1.2.0", "plataforma": "ANDROID", "obligatoria": False} | extra
    r = await http.post(BASE, json=cuerpo, headers=admin)
    assert r.status_code == 201, r.text
    return r.json()


async def test_publicar_responde_sin_sobre(http, admin):
    cuerpo = {
        "versionCode": "2.0.1",
        "plataforma": "android",
        "obligatoria": True,
        "descripcion": "Corrige el registro de tiempos",
        "fechaPublicacion": "2026-11-20T08:00:00",
        "vigente": False,
    }
    r = await http.post(BASE, json=cuerpo, headers=admin)

    assert r.status_code == 201, r.text
    data = r.json()
    assert set(data) == CAMPOS
    # `vigente` is forced true; the platform is stored upper-case; naive dates are Lima time.
    assert data == cuerpo | {
        "id": data["id"],
        "plataforma": "ANDROID",
        "vigente": True,
        "fechaPublicacion": "2026-11-20T08:00:00-05:00",
    }


async def test_fecha_de_publicacion_por_defecto_es_ahora(http, admin):
    data = await _publicar(http, admin)
    publicada = datetime.fromisoformat(data["fechaPublicacion"])
    assert publicada.utcoffset() is not None
    assert abs((datetime.now(publicada.tzinfo) - publicada).total_seconds()) < 60


async def test_lecturas_publicas_sin_token(http, admin):
    propia = plataforma()
    vieja = await _publicar(http, admin, plataforma=propia, versionCode="1.0.0")
    nueva = await _publicar(http, admin, plataforma=propia, versionCode="1.1.0")
    await _publicar(http, admin, plataforma=plataforma(), versionCode="9.9.9")

    r = await http.get(f"{BASE}/ultima", params={"plataforma": propia.lower()})
    assert r.status_code == 200
    assert r.json() == nueva

    r = await http.get(f"{BASE}/ultima")
    assert r.status_code == 200
    assert set(r.json()) == CAMPOS

    r = await http.get(f"{BASE}/vigentes", params={"size": 100})
    assert r.status_code == 200
    pagina = r.json()
    assert "success" not in pagina
    assert {"content", "totalElements", "totalPages", "number", "size", "first", "last"} <= set(pagina)
    ids = [v["id"] for v in pagina["content"]]
    assert ids == sorted(ids, reverse=True)  # newest first
    assert ids.index(nueva["id"]) < ids.index(vieja["id"])


async def test_ultima_sin_versiones_da_404_no_500(http):
    r = await http.get(f"{BASE}/ultima", params={"plataforma": plataforma()})
    assert r.status_code == 404
    assert r.json()["success"] is False
    assert r.json()["message"] == "No existen versiones registradas"


@pytest.mark.parametrize(("params", "campo"), [({"size": 0}, "size"), ({"sort": "nada"}, "sort")])
async def test_vigentes_con_parametro_invalido_da_422(http, params, campo):
    r = await http.get(f"{BASE}/vigentes", params=params)
    assert r.status_code == 422
    assert r.json()["data"]["campo"] == campo


@pytest.mark.parametrize(
    ("cambio", "campo"),
    [
        ({"versionCode": "   "}, "versionCode"),
        ({"versionCode": None}, "versionCode"),
        ({"versionCode": "1" * 21}, "versionCode"),
        ({"plataforma": ""}, "plataforma"),
        ({"obligatoria": "quizá"}, "obligatoria"),
        ({"fechaPublicacion": "ayer"}, "fechaPublicacion"),
    ],
)
async def test_publicar_invalido_da_422(http, admin, cambio, campo):
    cuerpo = {"versionCode": "1.2.0", "plataforma": "ANDROID"} | cambio
    r = await http.post(BASE, json=cuerpo, headers=admin)
    assert r.status_code == 422, r.text
    assert r.json()["data"]["campo"] == campo


async def test_publicar_sin_versioncode_da_422(http, admin):
    r = await http.post(BASE, json={"plataforma": "ANDROID"}, headers=admin)
    assert r.status_code == 422
    assert r.json()["data"]["campo"] == "versionCode"


async def test_publicar_exige_administrar(http, tokens):
    """Defect 21: in the original anyone, even without a token, could force an app update."""
    cuerpo = {"versionCode": "6.6.6", "plataforma": "ANDROID", "obligatoria": True}
    assert (await http.post(BASE, json=cuerpo)).status_code == 401
    for rol in ("coordinadora", "tecnico", "contabilidad"):
        r = await http.post(BASE, json=cuerpo, headers=auth(tokens[rol]))
        assert r.status_code == 403, rol


async def test_caracter_nul_da_422(http, admin):
    r = await http.post(BASE, json={"versionCode": "1\x00", "plataforma": "ANDROID"}, headers=admin)
    assert r.status_code == 422
    assert r.json()["data"]["campo"] == "versionCode"
    r = await http.get(f"{BASE}/ultima", params={"plataforma": "AND\x00"})
    assert r.status_code == 422
    assert r.json()["data"]["campo"] == "plataforma"
