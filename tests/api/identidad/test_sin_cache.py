"""The routes whose session only reads (`solo_lectura`: lists, reads, actions) still re-read the caller
on every request: a deactivation or a lost permission is refused on the very next one. The token's
signature is verified once per token, but its expiry is checked on every use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api.comun import deps
from infra.seguridad import emitir_token, huella_password

LISTAS = ("/api/pendientes?size=5", "/api/pendientes/filtros")


async def test_usuario_desactivado_rechazado_en_la_siguiente_lista_lectura_y_accion(http, fabrica, admin):
    cuenta = await fabrica.cuenta("tecnico")
    for ruta in LISTAS:
        assert (await http.get(ruta, headers=cuenta.headers)).status_code == 200, ruta

    r = await http.put(f"/api/usuarios/{cuenta.id}", json={"activo": False}, headers=admin)
    assert r.status_code == 200, r.text

    pedidas = [http.get(ruta, headers=cuenta.headers) for ruta in LISTAS]
    pedidas += [
        http.post("/api/pendientes/filtrar", json={}, headers=cuenta.headers),
        http.get("/api/pendientes/1", headers=cuenta.headers),
        http.post("/api/pendientes/1/acciones/comenzar", headers=cuenta.headers),
        http.get("/api/pendientes/1/acciones", headers=cuenta.headers),
    ]
    for pedida in pedidas:
        r = await pedida
        assert r.status_code == 401, (r.request.url, r.text)
        assert r.json()["message"] == "token inválido o expirado"


async def test_permiso_quitado_al_rol_se_nota_en_la_siguiente_lista(http, fabrica, admin):
    rol = await fabrica.rol("VER_TODOS")
    cuenta = await fabrica.cuenta(rol)
    assert (await http.get("/api/pendientes?size=5", headers=cuenta.headers)).status_code == 200

    r = await http.put(
        f"/api/usuarios/roles/{rol}", json={"permisos": ["REGISTRAR_PENDIENTE"]}, headers=admin
    )
    assert r.status_code == 200, r.text

    r = await http.get("/api/pendientes?size=5", headers=cuenta.headers)
    assert r.status_code == 403
    assert "VER_TODOS" in r.json()["message"]


def test_un_token_vencido_se_rechaza_aunque_su_firma_ya_se_haya_verificado(monkeypatch):
    clave = "clave-de-prueba-de-firma-" + "x" * 40
    token, expira = emitir_token(7, "tecnico", huella_password("hash"), clave, 5)
    assert deps._carga(token, clave) is not None  # verified (and remembered) while valid

    class Despues(datetime):
        @classmethod
        def now(cls, tz=None):
            return expira.astimezone(tz or UTC) + timedelta(seconds=1)

    monkeypatch.setattr(deps, "datetime", Despues)
    assert deps._carga(token, clave) is None
    assert deps._carga(token + "x", clave) is None  # a forged signature is never accepted
