"""What the benchmarks read about the stack's processes: resident memory and CPU time from /proc, and the
environment of a running child (to start a second worker or API exactly like the supervisor's)."""

from __future__ import annotations

import os
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    # Fields after the command name (which may hold spaces): state is [0], ppid [1], utime [11].
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def rss_mib(pid: int) -> float:
    """Resident set size of `pid` in MiB (VmRSS)."""
    for linea in Path(f"/proc/{pid}/status").read_text().splitlines():
        if linea.startswith("VmRSS:"):
            return int(linea.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def cpu_segundos(pid: int, con_hijos: bool = False) -> float:
    """User + system CPU of `pid`; with `con_hijos`, also of its live children and its reaped ones
    (Postgres: the postmaster and its backends)."""
    try:
        campos = _stat(pid)
    except OSError:
        return 0.0
    ticks = int(campos[11]) + int(campos[12])
    if con_hijos:
        ticks += int(campos[13]) + int(campos[14])
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                hijo = _stat(int(proc.name))
            except OSError:
                continue
            if hijo[1] == str(pid):
                ticks += int(hijo[11]) + int(hijo[12])
    return ticks / _TICKS


def entorno_de(pid: int) -> dict[str, str]:
    """The environment `pid` was started with."""
    crudo = Path(f"/proc/{pid}/environ").read_bytes()
    pares = (p.split(b"=", 1) for p in crudo.split(b"\0") if b"=" in p)
    return {k.decode(): v.decode(errors="replace") for k, v in pares}


def cpu_maquina() -> float:
    """CPU seconds the whole machine has been busy (every process, ours or not), from /proc/stat."""
    campos = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(c) for c in campos[:8])
    return (user + nice + system + irq + softirq + steal) / _TICKS
