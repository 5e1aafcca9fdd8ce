#!/usr/bin/env bash
# Runs the Python module's pytest suite for CTest:
#   run_pytest.sh MODULE_DIR TEST_DIR
# with the interpreter the module was built for ($TFM_PYTHON, default /usr/bin/python3). Exits
# 77, which CTest reports as skipped, with the reason, when the module was not built or that
# Python lacks pytest or numpy; a run that collects no test fails.
set -euo pipefail
python=${TFM_PYTHON:-/usr/bin/python3}
module_dir=$1
test_dir=$2
if ! compgen -G "$module_dir/tfm.*.so" >/dev/null; then
  echo "skipped: the Python module was not built (no pybind11 or Python headers)"
  exit 77
fi
for module in pytest numpy; do
  if ! "$python" -c "import $module" >/dev/null 2>&1; then
    echo "skipped: $python cannot import $module"
    exit 77
  fi
done
status=0
PYTHONPATH="$module_dir:$(dirname "$0")${PYTHONPATH:+:$PYTHONPATH}" "$python" -m pytest -q -p no:cacheprovider "$test_dir" || status=$?
if [[ $status -eq 5 ]]; then
  echo "pytest collected no tests in $test_dir"
  exit 1
fi
exit $status
