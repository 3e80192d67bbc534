"""Every timestamp identidad answers is in the API's zone (Lima, -05:00), like every other answer:
the login's and the refresh's `expiraEn` included."""

from __future__ import annotations

from datetime import datetime, timedelta

import jwt

from ops.demo import PASSWORD_DEMO
from tests.conftest import auth

LIMA = timedelta(hours=-5)  # Peru keeps no daylight saving time


def _expira_en(data: dict) -> datetime:
    expira = datetime.fromisoformat(data["expiraEn"])
    assert expira.utcoffset() == LIMA, data["expiraEn"]
    carga = jwt.decode(data["token"], options={"verify_signature": False})
    # The token's `exp` is whole seconds: the answer states the same instant, to the second.
    assert int(expira.timestamp()) == carga["exp"]
    return expira


async def test_login_expira_en_hora_de_lima_y_coincide_con_el_token(http):
    r = await http.post("/auth", json={"dni": "10000002", "password": PASSWORD_DEMO})
    assert r.status_code == 200, r.text
    _expira_en(r.json()["data"])


async def test_refresco_expira_en_hora_de_lima_y_coincide_con_el_token(http):
    r = await http.post("/auth", json={"dni": "10000002", "password": PASSWORD_DEMO})
    assert r.status_code == 200, r.text
    token = r.json()["data"]["token"]

    renovado = await http.post("/auth/refrescar", headers=auth(token))

    assert renovado.status_code == 200, renovado.text
    _expira_en(renovado.json()["data"])
