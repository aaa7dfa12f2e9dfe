#!/usr/bin/env bash
# Install actviz and everything it needs on a Debian-like machine, from nothing.
#   scripts/install.sh          the app
#   scripts/install.sh --test   the app and the test tools
# System libraries: Qt's xcb platform needs a few X libraries to open a window, and
# Xvfb gives machines with no screen a virtual one. Only missing packages are installed.
set -euo pipefail
cd "$(dirname "$0")/.."

extras="[data]"
test_extras=0
if [ "${1:-}" = "--test" ]; then
  extras="[data,test]"
  test_extras=1
fi

system_packages=(
  xvfb xauth libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon-x11-0
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxcb-randr0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1
)
# The tests read the run database back with the sqlite3 command-line tool, and open
# exported figures with renderers actviz did not write (librsvg, poppler).
if [ "$test_extras" = 1 ]; then system_packages+=(sqlite3 librsvg2-bin poppler-utils); fi
if command -v dpkg >/dev/null && command -v apt-get >/dev/null; then
  missing=()
  for pkg in "${system_packages[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "installing system packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  fi
fi

# The interpreter: this project's .venv once there is one; else PYTHON (or python3) when
# pip may install into it. A system python that is "externally managed" (PEP 668: Debian,
# Ubuntu, Fedora) refuses pip, so a project .venv is made and used instead.
venv="$PWD/.venv"
python=${PYTHON:-python3}
[ -x "$venv/bin/python" ] && python=$venv/bin/python

pip() {  # "$python" -m pip ARGS; ACTVIZ_INSTALL_PIP names a stand-in (the script's tests)
  if [ -n "${ACTVIZ_INSTALL_PIP:-}" ]; then "$ACTVIZ_INSTALL_PIP" "$python" "$@"
  else "$python" -m pip "$@"; fi
}

externally_managed() {  # PEP 668's marker in the stdlib folder, outside a virtual env
  "$python" -c 'import os, sys, sysconfig
marker = os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")
sys.exit(0 if sys.prefix == sys.base_prefix and os.path.exists(marker) else 1)'
}

use_project_venv() {
  echo "$python is managed by the system (PEP 668): installing into a project venv, .venv"
  "$python" -m venv "$venv"
  python=$venv/bin/python
}

if [ "$python" != "$venv/bin/python" ] && externally_managed; then
  use_project_venv
fi

# A CPU build of torch keeps the install small; where this exact wheel is not at hand,
# torch comes from pyproject.toml with actviz. A pip that refuses the system python (a
# PEP 668 marker in an unusual place) sends everything into the project venv.
if ! "$python" -c "import torch" >/dev/null 2>&1; then
  if ! log=$(pip install --quiet "torch==2.13.0" 2>&1); then
    if [ "$python" != "$venv/bin/python" ] && grep -q "externally-managed-environment" <<<"$log"
    then
      use_project_venv
      pip install --quiet "torch==2.13.0" \
        || echo "no torch 2.13.0 CPU wheel on this index: torch comes with actviz's requirements"
    else
      echo "no torch 2.13.0 CPU wheel on this index: torch comes with actviz's requirements"
    fi
  fi
fi
pip install --quiet -e ".${extras}"
echo "actviz installed for $python: run 'scripts/launch' (or 'actviz'); tests: 'scripts/test'"
