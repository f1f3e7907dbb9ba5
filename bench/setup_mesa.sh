#!/usr/bin/env bash
# Create the Mesa peer's venv (for bench/mesa_peer.py and validation/mesa_reference.py).
#
# Why a separate venv: Mesa 3.5.1 needs Python >= 3.12 while qantar targets
# 3.11, and the peer must never see qantar.  Idempotent: re-running only
# (re)installs when the venv is missing, built from another Python, or holds
# another Mesa.
#
#   bench/setup_mesa.sh               # venv at <repo>/.venv-mesa
#   MESA_VENV=/some/where bench/setup_mesa.sh
#
# Python choice: the newest pyenv 3.12.x (-> mesa 3.5.1); failing that the
# current python3 (-> mesa 3.5.1 if it is >= 3.12, else mesa 3.3.1, the last
# release supporting 3.11; its example takes keyword arguments, which
# mesa_peer.py handles).
set -euo pipefail

cd "$(dirname "$0")/.."
venv="${MESA_VENV:-.venv-mesa}"

pyenv_root="${PYENV_ROOT:-$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")}"
base=""
for candidate in $(ls -d "$pyenv_root"/versions/3.12*/bin/python 2>/dev/null | sort -V -r); do
    if "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then
        base="$candidate"
        break
    fi
done
if [[ -z "$base" ]]; then
    base="$(command -v python3)"
    echo "setup_mesa: no pyenv Python 3.12 under $pyenv_root; falling back to $base" >&2
fi

base_version="$("$base" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if "$base" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
    mesa_version="3.5.1"
else
    mesa_version="3.3.1"
fi

venv_python="$venv/bin/python"
if [[ -x "$venv_python" ]] \
    && [[ "$("$venv_python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" == "$base_version" ]] \
    && [[ "$("$venv_python" -c 'import mesa; print(mesa.__version__)' 2>/dev/null)" == "$mesa_version" ]] \
    && "$venv_python" -c 'import networkx' 2>/dev/null; then
    echo "setup_mesa: $venv already has Python $base_version + mesa $mesa_version"
else
    echo "setup_mesa: creating $venv from $base (Python $base_version) with mesa==$mesa_version"
    "$base" -m venv --clear "$venv"
    "$venv_python" -m pip install --quiet "mesa==$mesa_version" networkx
fi
echo "setup_mesa: using Python $base_version, mesa $mesa_version -> $venv_python"
