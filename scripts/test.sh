#!/usr/bin/env bash
# Lint, then the whole suite: unit tests, real-server integration, end-to-end and browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
# The browser tests drive Debian's Chromium (a browser download is impossible here).
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "test: installing Debian's chromium for the browser tests..." >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
exec .venv/bin/python -m pytest -p no:cacheprovider "$@"
