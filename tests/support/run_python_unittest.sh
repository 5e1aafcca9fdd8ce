#!/usr/bin/env bash
# Runs the Python unit tests of one folder for CTest:
#   run_python_unittest.sh DIR PATTERN [MODULE...]
# with the interpreter $TFM_PYTHON (default /usr/bin/python3: Debian's python3-torch is
# importable only by it). Exits 77, which CTest reports as skipped, with the reason, when there
# is no such interpreter or it cannot import one of the MODULEs that the tests need.
set -euo pipefail
python=${TFM_PYTHON:-/usr/bin/python3}
dir=$1
pattern=$2
shift 2
if ! "$python" -c pass >/dev/null 2>&1; then
  echo "skipped: no Python at $python"
  exit 77
fi
for module in "$@"; do
  if ! "$python" -c "import $module" >/dev/null 2>&1; then
    echo "skipped: $python cannot import $module"
    exit 77
  fi
done
exec "$python" -m unittest discover -s "$dir" -p "$pattern"
