"""The base64 form of the PDF (`?formato=base64`, as the peer's `?format=base64`), for clients that
carry files inside JSON."""

from __future__ import annotations

from api.comun.tipos import Camel


class PdfBase64Response(Camel):
    nombre: str  # pendiente-<id>.pdf
    content_type: str
    base64: str
