#!/usr/bin/env bash
# Fetches OPA for the benchmark without a Go toolchain: the PyPI wheel
# opa-golib-python-bindings ships OPA's `rego` package built as a Go
# c-shared library (libopabridge.so) with a small C API, which gate-bench
# loads at run time. Python is used only here, to download the wheel.
#
#   bench/opa.sh                  # fetch, then print the library's path
#   eval "$(bench/opa.sh --env)"  # fetch, then export GATE_BENCH_OPA_LIB
#
# The library is copied to bench/target/opa/libopabridge.so, where
# gate-bench looks when GATE_BENCH_OPA_LIB is not set. The download and a
# virtual environment for pip go to $OPA_WORK (default: a directory under
# ${TMPDIR:-/tmp}).
set -euo pipefail

VERSION=0.4.4 # OPA v1.20.2, built with Go 1.26.8
# The Linux x86-64 wheel of that version (the one this benchmark was run with).
WHEEL=opa_golib_python_bindings-$VERSION-py3-none-manylinux_2_34_x86_64.whl
SHA256=d411c901e14b8c7c3023e23e4a944f4cf429c1d31baf80e959e57d11efbfd24a

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=${OPA_WORK:-${TMPDIR:-/tmp}/gate-bench-opa}
dest=$here/target/opa/libopabridge.so

mkdir -p "$work/dl" "$(dirname "$dest")"
if [[ ! -x $work/venv/bin/pip ]]; then
  python3 -m venv "$work/venv" >&2
fi
# The wheel declares Python >= 3.14 but holds no Python extension: ask for
# the 3.14 build whatever the local Python is, and only download it.
"$work/venv/bin/pip" download --quiet --no-deps --only-binary=:all: \
  --python-version 3.14 --dest "$work/dl" \
  "opa-golib-python-bindings==$VERSION" >&2

wheel=$(ls "$work/dl"/opa_golib_python_bindings-"$VERSION"-*.whl | head -n 1)
if [[ $(basename "$wheel") == "$WHEEL" ]]; then
  echo "$SHA256  $wheel" | sha256sum --check --quiet - >&2
else
  echo "opa.sh: $(basename "$wheel") is not the wheel whose checksum is pinned here ($WHEEL); not checked" >&2
fi

rm -rf "$work/unpacked"
python3 -m zipfile -e "$wheel" "$work/unpacked" >&2
cp "$work/unpacked/opa_bindings/libopabridge.so" "$dest.tmp"
mv "$dest.tmp" "$dest"

if [[ ${1:-} == --env ]]; then
  printf 'export GATE_BENCH_OPA_LIB=%q\n' "$dest"
else
  echo "$dest"
fi
