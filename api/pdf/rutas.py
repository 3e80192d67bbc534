"""`GET /api/pendientes/{id}/pdf`: the work order as an A4 PDF to print, sign and file, for whoever may
see the pendiente (the rule of GET /api/pendientes/{id}: 404 unknown, 403 not theirs). What it holds is
api/pdf/documento.py's; the data comes from api/pdf/servicio.py."""

from __future__ import annotations

import asyncio
import base64
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.comun.deps import SessionDep, SettingsDep, UsuarioDep
from api.comun.http import ERRORES, IdPendiente
from api.comun.respuesta import Respuesta, ok
from api.pdf import servicio
from api.pdf.documento import renderizar
from api.pdf.esquemas import PdfBase64Response

router = APIRouter(prefix="/api/pendientes", tags=["pendientes"])

PDF = "application/pdf"
RESPUESTAS = ERRORES | {
    200: {
        "content": {PDF: {"schema": {"type": "string", "format": "binary"}}, "application/json": {}},
        "description": "El PDF (o, con `formato=base64`, el mismo en base64 dentro del sobre JSON)",
    }
}


@router.get("/{id}/pdf", response_model=Respuesta[PdfBase64Response], responses=RESPUESTAS)
async def pdf_del_pendiente(
    id: IdPendiente,
    usuario: UsuarioDep,
    session: SessionDep,
    settings: SettingsDep,
    formato: Annotated[Literal["pdf", "base64"], Query(description="`base64`: en JSON")] = "pdf",
):
    """La orden de trabajo en PDF (A4, en español): cliente, dirección, tipo y detalle (nunca la
    contraseña PPPoE), estado, técnico, historial (con VER_HISTORIAL), notas con sus imágenes, pagos,
    ítems con totales y el bloque de firmas. Quien puede ver el pendiente puede descargarla."""
    informe = await servicio.informe(session, id, usuario, settings.uploads_dir)
    await session.rollback()  # give the connection back while the document is drawn
    # Drawing (fonts, photos) is CPU work: off the event loop, so other requests keep being served.
    contenido = await asyncio.to_thread(renderizar, informe)
    nombre = f"pendiente-{id}.pdf"
    if formato == "base64":
        datos = PdfBase64Response(
            nombre=nombre, content_type=PDF, base64=base64.b64encode(contenido).decode()
        )
        return ok(datos, "PDF generado correctamente")
    cabeceras = {"Content-Disposition": f'attachment; filename="{nombre}"'}
    return Response(contenido, media_type=PDF, headers=cabeceras)
