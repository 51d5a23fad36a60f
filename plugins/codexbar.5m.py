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
# login shell whose PATH rarely has the right python3, so the shell part finds codexbar and
# re-executes this file with codexbar's own Python; Python then skips the shell part, which is a
# string to it. Where it looks, in order (docs/decisions/install-and-statusline.md):
#   1. the checkout this file lives in, following links from the plugin folder (.venv/bin/python);
#   2. the record install.sh and `codexbar install-plugin` leave in codexbar's settings folder;
#   3. a `codexbar` command on PATH, in ~/.local/bin (pipx, pip --user), Homebrew or /usr/local/bin.
# Found nowhere: a menu that says what to run.
"true" '''\'
p="$0"
while [ -L "$p" ]; do
  l=$(readlink "$p")
  case "$l" in /*) p="$l" ;; *) p="$(dirname "$p")/$l" ;; esac
done
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"  # absolute: click actions run it again
export CODEXBAR_ACTION_PATH="${CODEXBAR_ACTION_PATH:-$self}"
root=$(cd "$(dirname "$p")/.." && pwd)
if [ -x "$root/.venv/bin/python" ]; then
  CODEXBAR_CHECKOUT=$root exec "$root/.venv/bin/python" "$p" "$@"
fi
record="$HOME/Library/Application Support/codexbar/install-location"
[ -f "$record" ] || record="${XDG_CONFIG_HOME:-$HOME/.config}/codexbar/install-location"
py="" checkout=""
if [ -f "$record" ]; then
  while IFS= read -r line; do
    case "$line" in python=*) py=${line#python=} ;; checkout=*) checkout=${line#checkout=} ;; esac
  done < "$record"
fi
if [ -n "$py" ] && [ -x "$py" ]; then
  CODEXBAR_CHECKOUT=$checkout exec "$py" "$p" "$@"
fi
for cmd in "$(command -v codexbar 2>/dev/null)" "$HOME/.local/bin/codexbar" /opt/homebrew/bin/codexbar /usr/local/bin/codexbar; do
  [ -n "$cmd" ] && [ -f "$cmd" ] && [ -x "$cmd" ] || continue
  first=""
  IFS= read -r first < "$cmd" || true
  py=${first#"#!"}
  case "$py" in
    /*/python*) [ -x "$py" ] && CODEXBAR_CHECKOUT="" exec "$py" "$p" "$@" ;;  # its Python runs this file: the warm path
  esac
  exec "$cmd" "$@"
done
echo "Codex ⚠"
echo "---"
echo "codexbar is not installed where this plugin can find it."
if [ -f "$root/install.sh" ]; then
  echo "In a terminal, run:  cd '$root' && ./install.sh | font=Menlo"
else
  echo "In a terminal, in the codexbar folder, run:  ./install.sh | font=Menlo"
fi
echo "Or install the command with pipx:  pipx install . && codexbar install-plugin --copy | font=Menlo"
echo "Looked in: this plugin's folder, $record, ~/.local/bin, /opt/homebrew/bin, /usr/local/bin"
echo "Open the install instructions | href=https://github.com/codexbar/codexbar#install"
echo "Refresh | refresh=true"
exit 0
'''
import os
import sys

HERE = os.path.dirname(os.path.realpath(__file__))
# The checkout the shell part chose (empty: an installed codexbar, found by its own Python).
CHECKOUT = os.environ.pop("CODEXBAR_CHECKOUT", None)
LIB = os.path.join(os.path.dirname(HERE) if CHECKOUT is None else CHECKOUT, "lib")
if CHECKOUT != "" and LIB not in sys.path and os.path.isdir(os.path.join(LIB, "codexbar_core")):
    sys.path.insert(0, LIB)
if len(sys.argv) == 1:
    try:  # warm path: the last complete menu, if under a minute old, without loading the rest
        from codexbar_core.warm_menu import try_print_cached_menu

        if try_print_cached_menu():
            sys.exit(0)
    except Exception:
        pass
try:
    from codexbar_core.cli import main
except ImportError as exc:  # a broken environment: say how to fix it, in the menu
    print("Codex ⚠\n---")
    print(f"codexbar could not start ({type(exc).__name__}: {exc.name or exc})")
    print(f"Python: {sys.executable}")
    print("Re-run ./install.sh in the codexbar folder (or: pipx reinstall codexbar)")
    sys.exit(0)
sys.exit(main(sys.argv[1:] or ["menu"]))
