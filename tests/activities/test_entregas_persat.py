"""The peer's shape of our events (pure): a receiver written for Persat's webhooks reads the fields it
knows where it knows them (reference persat-ordenes-de-trabajo.md §4 and §10.3)."""

from __future__ import annotations

from domain.eventos import TipoEvento
from domain.persat import cuerpo_persat, orden_de_trabajo

VISTA = {
    "id": 141,
    "fechaCreacion": "2026-05-06T11:53:50.250000-05:00",
    "fechaPendiente": "2026-05-08T08:30:00-05:00",
    "idEmpleadoRegistro": 28,
    "registradoPor": "Ana Coordinadora",
    "idEmpleadoAsignado": 41,
    "asignadoA": "Luis Técnico",
    "estado": "ASIGNADO",
    "estadoTecnico": "OK",
    "empresa": None,
    "lugar": "JULI",
    "prioridad": "MEDIA",
    "tipo": "INSTALACION_INTERNET",
    "direccion": "Jr. Lima 123",
    "idCliente": 10216,
    "cliente": "Fabrica de motores",
    "codCliente": "CL989LKk",
    "celularCliente": None,
    "vencido": False,
    "version": 3,
    "detalle": {"velocidadSolicitada": "200 Mbps"},
    "etiquetas": [{"id": 1, "nombre": "VIP"}, {"id": 2, "nombre": "Fibra"}],
}


def test_la_ot_del_par_tal_como_la_documenta():
    ot = orden_de_trabajo(VISTA)
    assert ot["_id"] == "141"
    assert ot["state"] == "ASIGNADA"
    assert ot["created"] == "2026-05-06T16:53:50.250Z"
    assert (ot["created_by_user_name"], ot["created_by_user_id"]) == ("Ana Coordinadora", 28)
    assert ot["labels_ids"] == [1, 2]
    assert ot["client"] == {"id": 10216, "name": "Fabrica de motores", "uid_client": "CL989LKk"}
    assert ot["wo_data"]["schema_id"] == "INSTALACION_INTERNET"
    assert ot["wo_data"]["instructions"]["formvalues"] == {"velocidadSolicitada": "200 Mbps"}
    assert ot["assignation_info"] == {
        "date": "2026-05-08T00:00:00.000Z",
        "starts_min": 8 * 60 + 30,
        "responsibles_required": 1,
        "responsibles": [{"user_id": 41, "user_name": "Luis Técnico"}],
    }


def test_vencida_solo_si_sigue_abierta_y_sin_tecnico_nadie_responsable():
    abierta = orden_de_trabajo({**VISTA, "estado": "EN_PROGRESO", "vencido": True})
    cerrada = orden_de_trabajo({**VISTA, "estado": "FINALIZADO", "vencido": True})
    nueva = orden_de_trabajo({**VISTA, "estado": "REGISTRADO", "idEmpleadoAsignado": None, "asignadoA": None})
    assert (abierta["state"], cerrada["state"], nueva["state"]) == ("VENCIDA", "CERRADA_OK", "PENDIENTE")
    assert nueva["assignation_info"]["responsibles"] == []


def test_nombres_de_evento_y_carga_por_tipo():
    creado = cuerpo_persat(TipoEvento.PENDIENTE_CREADO, {"pendiente": VISTA, "actor": {"nombre": "x"}})
    assert creado["eventType"] == "workorder.created" and creado["payload"]["_id"] == "141"
    pago = cuerpo_persat(TipoEvento.PAGO_REGISTRADO, {"pago": {"id": 5}, "pendiente": VISTA})
    assert pago["eventType"] == "workorder.modified" and pago["payload"]["_id"] == "141"
    cliente = {
        "id": 3,
        "nombre": "ACME",
        "codigoCliente": "CLI000003",
        "direccion": "Av. Sol",
        "telefono": "951",
    }
    alta = cuerpo_persat(TipoEvento.CLIENTE_CREADO, {"cliente": cliente})
    assert alta["eventType"] == "client.created"
    assert (alta["payload"]["uid_client"], alta["payload"]["company_name"]) == ("CLI000003", "ACME")
