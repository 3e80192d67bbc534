"""The time-skipping test server, one per test module that asks for `entorno`, with the pendiente's
search attributes registered (the test server needs them before the first workflow)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from workflows import busqueda


@pytest.fixture(scope="module")
async def entorno():
    servidor = Path(sys.executable).parent / "temporal-test-server"
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(servidor), data_converter=pydantic_data_converter
    )
    atributos = {k.name: k.indexed_value_type for k in busqueda.TODAS}
    await env.client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(namespace="default", search_attributes=atributos)
    )
    yield env
    await env.shutdown()
