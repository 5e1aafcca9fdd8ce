#!/usr/bin/env bash
# Runs a test of the web page of `tfm serve` in headless Chromium for CTest:
#   run_browser_test.sh SCRIPT [ARG...]
# with the interpreter $TFM_PYTHON (default /usr/bin/python3) and Debian's browser and driver
# ($TFM_CHROMIUM, default /usr/bin/chromium; $TFM_CHROMEDRIVER, default /usr/bin/chromedriver).
# Exits 77, which CTest reports as skipped, saying which is missing (Debian: apt-get install
# chromium chromium-driver python3-selenium).
set -euo pipefail
python=${TFM_PYTHON:-/usr/bin/python3}
# tiny_pair.py, the toy language pair the tests share, lives beside this script.
export PYTHONPATH="$(dirname "$0")${PYTHONPATH:+:$PYTHONPATH}"
export TFM_CHROMIUM=${TFM_CHROMIUM:-/usr/bin/chromium}
export TFM_CHROMEDRIVER=${TFM_CHROMEDRIVER:-/usr/bin/chromedriver}
if [[ ! -x "$TFM_CHROMIUM" ]]; then
  echo "skipped: no Chromium at $TFM_CHROMIUM (Debian package chromium)"
  exit 77
fi
if [[ ! -x "$TFM_CHROMEDRIVER" ]]; then
  echo "skipped: no ChromeDriver at $TFM_CHROMEDRIVER (Debian package chromium-driver)"
  exit 77
fi
if ! "$python" -c "import selenium" >/dev/null 2>&1; then
  echo "skipped: $python cannot import selenium (Debian package python3-selenium)"
  exit 77
fi
exec "$python" "$@"
