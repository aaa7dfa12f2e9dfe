#!/usr/bin/env bash
# The speed suite on a lent GPU machine (or the CPU): bench/device_check.py, from the
# repository root with this checkout on PYTHONPATH. Installs nothing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
export PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}"
exec "${PYTHON:-python3}" bench/device_check.py "$@"
