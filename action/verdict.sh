#!/usr/bin/env bash
# The Action's last step: fail the job as gate check's exit code says (1
# fail, 2 error), unless the fail input is `false`. No exit code at all
# (the check step did not run to its end) is an error: fail closed.
set -euo pipefail

code="${GATE_EXIT:-}"
case "$code" in
  0) exit 0 ;;
  1|2) ;;
  *) echo "::error title=gate::gate check did not report an exit code" >&2; code=2 ;;
esac
if [ "${GATE_INPUT_FAIL:-true}" = "false" ]; then
  echo "gate check exited with $code; the fail input is false, so the step passes"
  exit 0
fi
exit "$code"
