#!/usr/bin/env bash
# Builds the fuzz targets with the stable toolchain, with libFuzzer's
# coverage instrumentation (the same flags `cargo fuzz build -s none` uses;
# they are all stable rustc options — only the sanitizers need nightly),
# seeds the corpora from the test suites and runs each target for a short
# time. Fails when a target crashes (panic, failed invariant, timeout or
# out-of-memory); the crashing input is left in fuzz/artifacts/<target>/.
#
#   fuzz/ci.sh                 every target, FUZZ_SECONDS (default 15) each
#   FUZZ_SECONDS=60 fuzz/ci.sh parse eval
set -euo pipefail
cd "$(dirname "$0")"

seconds=${FUZZ_SECONDS:-15}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(parse check fmt load eval bundle)
fi

# libfuzzer-sys compiles libFuzzer (C++): install a C++ compiler if the
# machine has none.
if ! command -v c++ >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq && $sudo apt-get install -y -qq g++ >/dev/null
fi

host=$(rustc -vV | sed -n 's/^host: //p')
# --target keeps these flags off build scripts and proc macros.
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares -Cllvm-args=-sanitizer-coverage-stack-depth \
-Cllvm-args=-simplifycfg-branch-fold-threshold=0 \
--cfg fuzzing"
# Its own target dir: `cargo fuzz` (nightly, with a sanitizer) uses target/.
cargo build --release --locked --target "$host" --target-dir target/stable --bins
bin=target/stable/$host/release

./seed.sh >/dev/null
status=0
for t in "${targets[@]}"; do
  mkdir -p "artifacts/$t"
  log=$(mktemp)
  # -timeout: one input taking longer is a finding; -rss_limit_mb: so is
  # using more memory. -max_len: inputs up to 64 KiB.
  if "$bin/$t" "corpus/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="artifacts/$t/" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    echo "fuzz $t: ok, $runs runs in ${seconds}s, $cov, corpus $(find "corpus/$t" -type f | wc -l) inputs"
  else
    echo "fuzz $t: FAILED"
    grep -v '^#[0-9]' "$log" | tail -60
    status=1
  fi
  rm -f "$log"
done
exit $status
