#!/usr/bin/env bash
# Install magtui with its test extra into .venv and run the whole test suite, ruff and
# mypy --strict.
# Fails on any failing test, on a ruff or mypy finding, and when no test ran (pytest exit 5).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q --compile -e ".[test]"
# An editable install compiles none of magtui's own modules; compile them once here.
.venv/bin/python -m compileall -q magtui
.venv/bin/ruff check .
.venv/bin/mypy --strict magtui
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "test.sh: pytest collected no tests — that is a failure here" >&2
  exit 1
fi
exit "$status"
