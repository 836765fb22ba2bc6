#!/usr/bin/env bash
# Tests the tree-sitter grammar of gate without the tree-sitter CLI: builds
# src/parser.c with the system C compiler and runs test.py with py-tree-sitter
# (the version pinned in requirements.txt) in a virtual environment.
#
#   bash editors/tree-sitter-gate/test.sh [VENV]
#
# VENV defaults to target/tree-sitter-venv in the repository. The last line
# printed is `N passed, N failed`; the exit status is non-zero on a failure.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(git -C "$here" rev-parse --show-toplevel 2>/dev/null || (cd "$here/../.." && pwd))"
venv="${1:-$repo/target/tree-sitter-venv}"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# A C compiler, only when there is none.
if ! command -v cc >/dev/null 2>&1; then
  echo "test.sh: no cc, installing gcc with apt" >&2
  apt_install gcc libc6-dev
fi

python="$(command -v python3 || true)"
if [ -z "$python" ]; then
  echo "test.sh: no python3, installing it with apt" >&2
  apt_install python3 python3-venv
  python="$(command -v python3)"
fi

if [ ! -x "$venv/bin/python" ]; then
  mkdir -p "$(dirname "$venv")"
  if ! "$python" -m venv "$venv" >/dev/null 2>&1; then
    echo "test.sh: python3 -m venv failed, installing python3-venv with apt" >&2
    rm -rf "$venv"
    apt_install python3-venv
    "$python" -m venv "$venv"
  fi
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"

build="$(mktemp -d "${TMPDIR:-/tmp}/tree-sitter-gate.XXXXXX")"
trap 'rm -rf "$build"' EXIT
sources=("$here/src/parser.c")
if [ -f "$here/src/scanner.c" ]; then sources+=("$here/src/scanner.c"); fi
cc -shared -fPIC -O1 -I "$here/src" "${sources[@]}" -o "$build/tree-sitter-gate.so"

"$venv/bin/python" "$here/test.py" --library "$build/tree-sitter-gate.so" "${@:2}"
