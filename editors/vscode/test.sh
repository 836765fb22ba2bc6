#!/usr/bin/env bash
# What CI runs for the VS Code extension (needs only node and npm):
# install the locked dependencies, type-check and build the client, start it
# against a stub language server (and, when $GATE_BIN names a gate executable,
# against the real `gate lsp`: test/gate-lsp.js), run the grammar tests, tokenize every .gate
# file of the repository, package the .vsix and check what is in it. The last line is `N passed, N failed`; the
# exit status is non-zero when a step failed.
set -u
cd "$(dirname "$0")"

passed=0
failed=0
failures=()

step() {
  local name=$1
  shift
  echo "==> $name"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    echo "--> ok: $name ($((SECONDS - start))s)"
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "--> FAILED: $name ($((SECONDS - start))s)"
  fi
}

skip() {
  failed=$((failed + 1))
  failures+=("$1 (not run)")
  echo "--> not run: $1"
}

finish() {
  for f in "${failures[@]+"${failures[@]}"}"; do
    echo "failed: $f"
  done
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}

version=$(node -p 'require("./package.json").version') || { failed=1; finish; }
name=$(node -p 'require("./package.json").name')
vsix="build/$name-$version.vsix"

step "npm ci" npm ci --no-audit --no-fund
if [ "$failed" -ne 0 ]; then
  for s in "tsc" "client smoke test (stub language server)" \
    "grammar assertion tests" "grammar snapshot tests" \
    "tokenize the repository's .gate files" "vsce package" "check the .vsix"; do
    skip "$s"
  done
  finish
fi

step "tsc" npx --no-install tsc -p .
step "client smoke test (stub language server)" node test/smoke-client.js
if [ -n "${GATE_BIN:-}" ]; then
  step "client against gate lsp ($GATE_BIN)" node test/gate-lsp.js "$GATE_BIN"
fi
step "grammar assertion tests" \
  npx --no-install vscode-tmgrammar-test \
  'test/grammar/assertions/*.gate'
step "grammar snapshot tests" \
  npx --no-install vscode-tmgrammar-snap \
  'test/grammar/*.gate'
step "tokenize the repository's .gate files" node test/tokenize-repo.js

package() {
  rm -rf build && mkdir -p build &&
    npx --no-install vsce package --out "$vsix"
}
step "vsce package" package
if [ -f "$vsix" ]; then
  step "check the .vsix" node test/check-vsix.js "$vsix"
else
  skip "check the .vsix"
fi
finish
