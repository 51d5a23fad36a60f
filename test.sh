#!/usr/bin/env bash
# The project's test command: ./test.sh [pytest arguments]
#
# Installs what the tests need (the package with its test tools into .venv, the real Codex CLI
# 0.169.0 and the ccusage cost oracle from npm into /var/tmp), then runs pytest inside a private
# network namespace where only loopback exists, so the real CLI and every test can reach 127.0.0.1 and nothing else.
set -euo pipefail
cd "$(dirname "$0")"
./install.sh --dev --no-link >/dev/null
tests/install_codex.sh >/dev/null || echo "test.sh: real-CLI tests will be skipped (codex CLI not installed)" >&2
# pipx / pip --user installs from a clean clone run offline inside the namespace below: fetch their wheels here
tests/install/wheelhouse.sh >/dev/null 2>&1 || echo "test.sh: the pipx install tests will be skipped (no wheelhouse)" >&2
if [[ $(uname -sm) == "Linux x86_64" ]]; then  # the oracle's native binary is the linux-x64 build
  bench/install_ccusage.sh >/dev/null 2>&1 || echo "test.sh: the ccusage cost oracle will be skipped (not installed)" >&2
fi

run_pytest='ip link set lo up 2>/dev/null || true; exec .venv/bin/python -m pytest "$@"'
if [[ $(uname -s) == Linux ]] && command -v unshare >/dev/null 2>&1; then
  if unshare -n true 2>/dev/null; then
    exec unshare -n -- sh -c "$run_pytest" sh "$@"
  elif unshare -rn true 2>/dev/null; then
    exec unshare -rn -- sh -c "$run_pytest" sh "$@"
  fi
fi
echo "test.sh: no private network namespace here; real-CLI tests will be skipped" >&2
exec .venv/bin/python -m pytest "$@"
