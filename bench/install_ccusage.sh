#!/usr/bin/env bash
# Install ccusage (the independent oracle for `codexbar cost`) into a cache folder outside the
# checkout: npm `ccusage@20.0.26` with its native binary `@ccusage/ccusage-linux-x64@20.0.24`.
# Idempotent; after the install everything runs offline (`ccusage codex daily --offline`).
#
#   bench/install_ccusage.sh            # prints the path of the ccusage command
set -euo pipefail
version=20.0.26
native_version=20.0.24
dir=${CODEXBAR_CCUSAGE_DIR:-/var/tmp/codexbar-ccusage}
bin="$dir/node_modules/.bin/ccusage"
if [[ -x $bin ]] && [[ -f "$dir/node_modules/@ccusage/ccusage-linux-x64/package.json" ]]; then
  echo "$bin"
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "install_ccusage.sh: npm not found; install Node.js to run the ccusage comparison" >&2
  exit 1
fi
mkdir -p "$dir"
(cd "$dir" && npm install --no-audit --no-fund --loglevel=error \
   "ccusage@$version" "@ccusage/ccusage-linux-x64@$native_version" >/dev/null)
echo "$bin"
