#!/usr/bin/env bash
# The Action's check step: `gate check` with annotations on standard output
# (gate appends the Markdown summary to GITHUB_STEP_SUMMARY and the
# `outcome` output to GITHUB_OUTPUT), the record and the SARIF report
# written to RUNNER_TEMP. It never fails the
# step itself: the outputs say what happened, and the verdict step decides.
set -uo pipefail

out="${GITHUB_OUTPUT:?the runner sets GITHUB_OUTPUT}"
dir="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/gate-report"
mkdir -p "$dir"
record="$dir/record.json"
sarif="$dir/gate.sarif"

args=(check "${GATE_INPUT_POLICY:?the policy input is required}")
# One evidence value, and one extra argument, per line; blank lines and
# surrounding spaces are left out.
while IFS= read -r line || [ -n "$line" ]; do
  line="${line#"${line%%[![:space:]]*}"}"
  line="${line%"${line##*[![:space:]]}"}"
  [ -n "$line" ] && args+=(--evidence "$line")
done <<< "${GATE_INPUT_EVIDENCE:-}"
while IFS= read -r line || [ -n "$line" ]; do
  line="${line#"${line%%[![:space:]]*}"}"
  line="${line%"${line##*[![:space:]]}"}"
  [ -n "$line" ] && args+=("$line")
done <<< "${GATE_INPUT_ARGS:-}"
args+=(--format github --output "json=$record" --output "sarif=$sarif")

"${GATE_BIN:-gate}" "${args[@]}"
code=$?

# gate itself wrote the `outcome` output (pass, warn, fail, error) to
# GITHUB_OUTPUT; without one, it did not get as far as deciding.
grep -q '^outcome=' "$out" || echo "outcome=error" >> "$out"
{
  echo "exit-code=$code"
  [ -s "$record" ] && echo "record=$record"
  [ -s "$sarif" ] && echo "sarif=$sarif"
} >> "$out"
exit 0
