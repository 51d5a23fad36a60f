#!/bin/sh
# <xbar.title>Codex usage</xbar.title>
# <xbar.version>v0.1.0</xbar.version>
# <xbar.author>codexbar</xbar.author>
# <xbar.author.github>codexbar</xbar.author.github>
# <xbar.desc>OpenAI Codex limits left (5-hour, weekly), credits, and what your local Codex sessions cost.</xbar.desc>
# <xbar.dependencies>python3, codexbar (./install.sh)</xbar.dependencies>
# <xbar.abouturl>https://chatgpt.com/codex/settings/usage</xbar.abouturl>
# <swiftbar.hideRunInTerminal>true</swiftbar.hideRunInTerminal>
# <swiftbar.hideLastUpdated>false</swiftbar.hideLastUpdated>
# <swiftbar.refreshOnOpen>false</swiftbar.refreshOnOpen>
#
# This file is both a POSIX shell script and a Python program. SwiftBar runs plugins through a
# login shell whose PATH rarely has the right python3, so the shell part finds this file's real
# location (following symlinks from the plugin folder) and re-executes it with the checkout's
# .venv interpreter; Python then skips the shell part, which is a string to it.
"true" '''\'
p="$0"
while [ -L "$p" ]; do
  l=$(readlink "$p")
  case "$l" in /*) p="$l" ;; *) p="$(dirname "$p")/$l" ;; esac
done
root=$(cd "$(dirname "$p")/.." && pwd)
for py in "$root/.venv/bin/python" /opt/homebrew/bin/python3 /usr/local/bin/python3 /usr/bin/python3 python3; do
  if [ -x "$py" ] || command -v "$py" >/dev/null 2>&1; then
    self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"  # absolute: click actions run it again
    CODEXBAR_ACTION_PATH=${CODEXBAR_ACTION_PATH:-$self} exec "$py" "$p" "$@"
  fi
done
echo "Codex ⚠"; echo "---"; echo "python3 not found: run ./install.sh in the codexbar folder"; exit 0
'''
import os
import sys

HERE = os.path.dirname(os.path.realpath(__file__))
LIB = os.path.join(os.path.dirname(HERE), "lib")
if LIB not in sys.path:
    sys.path.insert(0, LIB)
if len(sys.argv) == 1:
    try:  # warm path: the last complete menu, if under a minute old, without loading the rest
        from codexbar_core.fastpath import try_print_cached_menu

        if try_print_cached_menu():
            sys.exit(0)
    except Exception:
        pass
try:
    from codexbar_core.cli import main
except ImportError as exc:  # dependencies missing: say how to fix it, in the menu
    print("Codex ⚠\n---")
    print(f"codexbar is not installed ({type(exc).__name__}: {exc.name or exc})")
    print(f"Run ./install.sh in {os.path.dirname(HERE)}")
    sys.exit(0)
sys.exit(main(sys.argv[1:] or ["menu"]))
