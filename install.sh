#!/usr/bin/env bash
# Install codexbar into .venv/ in this checkout and (on macOS) link the plugin into SwiftBar/xbar.
# It also records where it installed (install-location in codexbar's settings folder), so a plugin
# file copied anywhere finds this installation.
#
#   ./install.sh                 install, then ask before linking the plugin
#   ./install.sh --yes           install and link without asking
#   ./install.sh --no-link       install only
#   ./install.sh --dev           also install the test tools (pytest, hypothesis, trustme, ruff)
#   ./install.sh --python PATH   use this Python (3.9 or newer) to create .venv
#
# Safe to re-run: it reuses .venv, re-installs the package in place, and re-points the link.
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)

dev=0 link=ask python=${PYTHON:-}
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dev) dev=1 ;;
    --yes|-y|--link) link=yes ;;
    --no-link) link=no ;;
    --python) python=$2; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ -t 0 ]] || [[ $link != ask ]] || link=no   # no terminal to ask on: do not link

python_ok() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 9))' 2>/dev/null; }
if [[ -z $python ]]; then
  for candidate in python3.13 python3.12 python3.11 python3.10 /opt/homebrew/bin/python3 /usr/local/bin/python3 python3 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null 2>&1 && python_ok "$candidate"; then python=$candidate; break; fi
  done
fi
if [[ -z $python ]] || ! python_ok "$python"; then
  echo "install.sh: Python 3.9 or newer is needed (macOS: xcode-select --install, or brew install python)" >&2
  exit 1
fi

if [[ ! -x .venv/bin/python ]] || ! .venv/bin/python -c 'import sys' 2>/dev/null; then
  echo "Creating .venv with $("$python" --version 2>&1)"
  rm -rf .venv
  "$python" -m venv .venv
fi
spec="."
[[ $dev == 1 ]] && spec=".[test]"
echo "Installing codexbar and its dependencies into .venv"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --editable "$spec"
chmod +x plugins/codexbar.5m.py
.venv/bin/codexbar --help >/dev/null
# a copied plugin looks here (plugins/codexbar.5m.py); without it, linked plugins still work
.venv/bin/codexbar install-plugin --record-only \
  || echo "install.sh: could not record where codexbar is installed; a copied plugin will not find it" >&2

plugin="$root/plugins/codexbar.5m.py"
link_into() {
  local dir=$1
  mkdir -p "$dir"
  ln -sfn "$plugin" "$dir/codexbar.5m.py"
  echo "Linked $dir/codexbar.5m.py -> $plugin"
}
if [[ $(uname -s) == Darwin && $link != no ]]; then
  swiftbar_dir=$(defaults read com.ameba.SwiftBar PluginDirectory 2>/dev/null || true)
  xbar_dir="$HOME/Library/Application Support/xbar/plugins"
  for dir in "${swiftbar_dir/#\~/$HOME}" "$xbar_dir"; do
    [[ -n $dir && -d $dir ]] || continue
    answer=y
    if [[ $link == ask ]]; then
      read -r -p "Link the plugin into $dir? [Y/n] " answer || answer=n
    fi
    [[ $answer =~ ^([yY]|)$ ]] && link_into "$dir"
  done
fi

echo
echo "Done. Try it:  $plugin"
echo "Terminal report:  .venv/bin/codexbar usage   and   .venv/bin/codexbar cost"
