"""The Temporal client every process uses: one data converter (Pydantic) everywhere."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from pendientes.config import Settings


async def connect(settings: Settings, lazy: bool = False) -> Client:
    if not settings.temporal_address:
        raise RuntimeError("TEMPORAL_ADDRESS is not set (the runner sets it for the dev server)")
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=pydantic_data_converter,
        lazy=lazy,
    )


def workflow_id(pendiente_id: int) -> str:
    return f"pendiente-{pendiente_id}"
