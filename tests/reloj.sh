#!/usr/bin/env bash
# Run a pytest selection with the WHOLE MACHINE's clock moved to a chosen instant, then put it back.
#
# Usage (as root, or with CAP_SYS_TIME), from anywhere:
#   tests/reloj.sh '<date and time>' <time zone> -- <pytest arguments...>
# Examples:
#   tests/reloj.sh '2026-12-16 23:30' America/Lima -- tests/workflows tests/api/pendientes/test_pendientes.py
#   tests/reloj.sh '2027-03-02 00:00' America/Lima -- tests -q -x
#   RELOJ_SIMULAR=1 tests/reloj.sh '2026-12-16 23:30' America/Lima -- tests/api -q   # prints, sets nothing
#
# Why the whole machine: the Temporal dev server and the time-skipping test server are Go/Java binaries
# that ignore faketime/LD_PRELOAD, so faking only Python's clock would split the clocks between the
# tests, Postgres and Temporal. This is meant for a throw-away VM: changing the clock disturbs everything
# else running on the machine (other test runs, TLS, cron), so run it only when nothing else is running.
#
# What it does:
#   1. computes the target instant (`date -d` of '<date and time>' read in <time zone>) and prints the
#      offset from the real time;
#   2. records the real time together with a monotonic reading (/proc/uptime, unaffected by `date -s`);
#   3. sets the clock to the target (`date -s`) and runs pytest (PYTEST, default: the repo's
#      .venv/bin/pytest) from the repo root with the given arguments;
#   4. ALWAYS restores the clock on exit (normal end, error, Ctrl-C, TERM): real time = recorded real
#      time + monotonic time elapsed since. Only SIGKILL can skip this; then set it back by hand
#      (`date -s @<epoch>`, or restart the VM / NTP).
# It exits with pytest's exit status. Stop NTP (chronyd, systemd-timesyncd) first if one is running:
# it would pull the clock back in the middle of the run.
#
# RELOJ_SIMULAR=1 prints the `date -s` commands instead of running them (pytest then runs at the real
# time): a dry run of the arithmetic.

set -uo pipefail

uso() {
    sed -n '2,9p' "$0" >&2
    exit 2
}

[[ $# -ge 3 && $3 == "--" ]] || uso
objetivo_texto=$1
zona=$2
shift 3

raiz=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pytest_bin=${PYTEST:-$raiz/.venv/bin/pytest}
simular=${RELOJ_SIMULAR:-0}

# Only an explicit date (and time): `date -d` would read almost anything ('x' is a military zone).
patron='^[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}(:[0-9]{2})?)?$'
[[ $objetivo_texto =~ $patron ]] || { echo "reloj: want 'YYYY-MM-DD[ HH:MM[:SS]]', got '$objetivo_texto'" >&2; exit 2; }
[[ -e /usr/share/zoneinfo/$zona ]] || { echo "reloj: unknown time zone '$zona'" >&2; exit 2; }
# The date/time text is read as a wall-clock time in $zona (TZ only for this `date`).
objetivo=$(TZ=$zona date -d "$objetivo_texto" +%s) || { echo "reloj: cannot read '$objetivo_texto'" >&2; exit 2; }
[[ -x $pytest_bin ]] || { echo "reloj: no pytest at $pytest_bin (set PYTEST)" >&2; exit 2; }

poner_reloj() { # $1: epoch seconds, possibly fractional
    if [[ $simular == 1 ]]; then
        echo "reloj: (simulated) date -s @$1"
    else
        date -s "@$1" >/dev/null
    fi
}

monotonico() { # seconds since boot; /proc/uptime does not move with `date -s`
    local segundos _resto
    read -r segundos _resto </proc/uptime
    echo "$segundos"
}

read -r monotonico_inicial _ </proc/uptime
real_inicial=$(date +%s.%N)
cambiado=0

restaurar() {
    local estado=$? ahora
    trap - EXIT INT TERM HUP
    if [[ $cambiado == 1 ]]; then
        ahora=$(awk -v r="$real_inicial" -v m0="$monotonico_inicial" -v m1="$(monotonico)" \
            'BEGIN { printf "%.2f", r + (m1 - m0) }')
        if poner_reloj "$ahora"; then
            echo "reloj: clock restored to $(date -u -d "@$ahora" '+%Y-%m-%d %H:%M:%S UTC')" >&2
        else
            echo "reloj: COULD NOT RESTORE THE CLOCK; set it by hand: date -s @$ahora" >&2
        fi
    fi
    exit "$estado"
}
trap restaurar EXIT
# A signal ends the script through the EXIT trap (128 + signal number, like the shell does).
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

desfase=$(awk -v o="$objetivo" -v r="$real_inicial" 'BEGIN { printf "%+.0f", o - r }')
echo "reloj: target $(TZ=$zona date -d "@$objetivo" '+%Y-%m-%d %H:%M:%S %Z') ($zona)," \
    "offset ${desfase} s from the real time $(date -u -d "@$real_inicial" '+%Y-%m-%d %H:%M:%S UTC')" >&2

cambiado=1
if ! poner_reloj "$objetivo"; then
    echo "reloj: cannot set the clock (root or CAP_SYS_TIME needed)" >&2
    exit 2 # the EXIT trap puts back whatever may have changed
fi
echo "reloj: clock now $(TZ=$zona date '+%Y-%m-%d %H:%M:%S %Z'); running pytest $*" >&2

cd "$raiz" || exit 2
"$pytest_bin" "$@"
exit $?
