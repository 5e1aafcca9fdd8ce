#!/usr/bin/env bash
# Runs the server's HTTP tests (pytest, against the tfm binary in $TFM_BINARY) for CTest:
#   run_http_test.sh TEST_FILE...
# with the interpreter $TFM_PYTHON (default /usr/bin/python3). Exits 77, which CTest reports as
# skipped, with the reason, when that Python lacks pytest; a run that collects no test fails.
set -euo pipefail
python=${TFM_PYTHON:-/usr/bin/python3}
# tiny_pair.py, the toy language pair the tests share, lives beside this script.
export PYTHONPATH="$(dirname "$0")${PYTHONPATH:+:$PYTHONPATH}"
if ! "$python" -c "import pytest" >/dev/null 2>&1; then
  echo "skipped: $python cannot import pytest"
  exit 77
fi
status=0
"$python" -m pytest -q -p no:cacheprovider "$@" || status=$?
if [[ $status -eq 5 ]]; then
  echo "pytest collected no tests in $*"
  exit 1
fi
exit $status
