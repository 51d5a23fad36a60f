#!/usr/bin/env bash
# Wheels to install codexbar with pipx / pip --user without a network: tests/install/test_pipx.py
# runs inside test.sh's private network namespace (loopback only), so what it installs from must be
# fetched before, here. test.sh calls this before entering that namespace, so the README command
# runs them too. Idempotent; the folder is $CODEXBAR_WHEELHOUSE or /var/tmp/codexbar-wheelhouse.
set -euo pipefail
cd "$(dirname "$0")/../.."
dest=${CODEXBAR_WHEELHOUSE:-/var/tmp/codexbar-wheelhouse}
mkdir -p "$dest"
# READY is not removed first: another checkout's tests may be installing from this folder right now,
# and pip download only adds wheels (it fails loudly below if it fetched nothing).
# codexbar's dependencies, and what pipx and pip need to build it from a clone (setuptools, pip, wheel)
.venv/bin/python -m pip download --quiet --disable-pip-version-check --dest "$dest" \
  . pip wheel "setuptools>=68" 2>&1 | grep -v "is ignored: it is neither a file nor a directory" || true
ls "$dest"/setuptools-*.whl "$dest"/httpx-*.whl >/dev/null  # fail loudly when the download did not happen
rm -f "$dest"/codexbar-*  # the project itself is always built from the clone under test
touch "$dest/READY"
echo "$dest"
