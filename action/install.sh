#!/usr/bin/env bash
# The Action's install step: the `gate` to run, as the `gate` output.
# GATE_INPUT_GATE: a gate already installed (a command or a path); empty
# builds gate from the Action's own source (GATE_ACTION_PATH), pinned by
# the ref the workflow uses, with `cargo install --locked`.
set -euo pipefail

out="${GITHUB_OUTPUT:?the runner sets GITHUB_OUTPUT}"
if [ -n "${GATE_INPUT_GATE:-}" ]; then
  if ! bin="$(command -v -- "$GATE_INPUT_GATE")"; then
    echo "::error title=gate::the gate input names \`$GATE_INPUT_GATE\`, which is not a command" >&2
    exit 2
  fi
else
  if ! command -v cargo >/dev/null 2>&1; then
    echo "::error title=gate::cargo is needed to install gate (or give the gate input)" >&2
    exit 2
  fi
  root="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/gate-install"
  cargo install --locked --quiet --root "$root" --path "${GATE_ACTION_PATH:?}/gate-cli"
  bin="$root/bin/gate"
fi
"$bin" --version
echo "gate=$bin" >> "$out"
