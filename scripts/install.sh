#!/usr/bin/env bash
# Install actviz and everything it needs on a Debian-like machine, from nothing.
#   scripts/install.sh          the app
#   scripts/install.sh --test   the app and the test tools
# System libraries: Qt's xcb platform needs a few X libraries to open a window, and
# Xvfb gives machines with no screen a virtual one. Only missing packages are installed.
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
[ "${1:-}" = "--test" ] && extras="[test]"

system_packages=(
  xvfb xauth libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon-x11-0
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxcb-randr0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1
)
# The figure tests open exports with renderers actviz did not write (librsvg, poppler).
if [ -n "$extras" ]; then system_packages+=(librsvg2-bin poppler-utils); fi
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

python=${PYTHON:-python3}
# A CPU build of torch keeps the install small; where this exact wheel is not at
# hand, pip resolves torch from pyproject.toml instead.
if ! "$python" -c "import torch" >/dev/null 2>&1; then
  "$python" -m pip install --quiet "torch==2.13.0" \
    || echo "torch 2.13.0 not available here; installing torch from the project's requirements"
fi
"$python" -m pip install --quiet -e ".${extras}"
echo "actviz installed: run 'scripts/launch' (or 'actviz'); tests: 'python -m pytest'"
