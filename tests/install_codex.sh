#!/usr/bin/env bash
# Install the real Codex CLI the end-to-end tests run (npm @openai/codex@0.169.0) into a cache
# folder outside the checkout. Idempotent: does nothing when that version is already there.
set -euo pipefail
version=0.169.0
dir=${CODEXBAR_CODEX_DIR:-/var/tmp/codexbar-codex/$version}
bin="$dir/node_modules/.bin/codex"
if [[ -x $bin ]] && "$bin" --version 2>/dev/null | grep -q "$version"; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "install_codex.sh: npm not found; install Node.js to run the real-CLI tests" >&2
  exit 1
fi
mkdir -p "$dir"
(cd "$dir" && npm install --no-audit --no-fund --loglevel=error "@openai/codex@$version" >/dev/null)
"$bin" --version
