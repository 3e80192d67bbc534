"""The ten-line receiver of README.md ("Events out: webhooks") works as printed: run from the README's
text, it accepts a ping signed with its subscription's secret and refuses one signed with another."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[3] / "README.md"


def receptor_del_readme() -> str:
    seccion = README.read_text(encoding="utf-8").split("## Events out: webhooks", 1)[1]
    return re.search(r"```python\n(.*?)```", seccion, re.DOTALL).group(1)


def _puerto() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def arrancar(tmp_path):
    procesos = []

    def _arrancar(secreto: str) -> str:
        puerto = _puerto()
        codigo = tmp_path / f"receptor-{puerto}.py"
        codigo.write_text(receptor_del_readme(), encoding="utf-8")
        env = os.environ | {"WEBHOOK_SECRET": secreto, "PORT": str(puerto)}
        procesos.append(subprocess.Popen([sys.executable, str(codigo)], env=env, stderr=subprocess.PIPE))
        limite = time.monotonic() + 15
        while True:
            assert procesos[-1].poll() is None, procesos[-1].stderr.read().decode()
            try:
                socket.create_connection(("127.0.0.1", puerto), timeout=1).close()
                return f"http://127.0.0.1:{puerto}/webhook"
            except OSError:
                assert time.monotonic() < limite, "the README's receiver never listened"
                time.sleep(0.1)

    yield _arrancar
    for proceso in procesos:
        proceso.terminate()
        proceso.wait(timeout=10)


async def test_el_receptor_del_readme_verifica_la_firma(http, h, suscribir, arrancar):
    assert len([linea for linea in receptor_del_readme().splitlines() if linea.strip()]) <= 15
    webhook = await suscribir("http://127.0.0.1:9/webhook")
    url = arrancar(webhook["secreto"])
    await http.patch(f"/api/webhooks/{webhook['id']}", json={"url": url}, headers=h["administrador"])
    r = await http.post(f"/api/webhooks/{webhook['id']}/ping", headers=h["administrador"])
    assert r.json()["data"]["status"] == 204, r.text

    # After a rotation both secrets sign: the receiver still holding the old one accepts.
    await http.post(f"/api/webhooks/{webhook['id']}/rotar-secreto", headers=h["administrador"])
    r = await http.post(f"/api/webhooks/{webhook['id']}/ping", headers=h["administrador"])
    assert r.json()["data"]["status"] == 204, r.text

    # Another subscription's secret does not verify.
    otro = await suscribir(url)
    r = await http.post(f"/api/webhooks/{otro['id']}/ping", headers=h["administrador"])
    assert r.json()["data"]["status"] == 401, r.text
