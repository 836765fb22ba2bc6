#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seed inputs taken from the test suites:
# the gates of tests/corpus, examples and stdlib for parse, check and fmt;
# the evidence documents of tests/fixtures, tests/corpus and examples for
# load and eval (with the header bytes those targets read first; see the
# comments at the top of fuzz_targets/load.rs and eval.rs). The corpus is
# made at run time and not committed (fuzz/.gitignore).
set -euo pipefail
cd "$(dirname "$0")"
root=..
corpus=corpus

# A seed file named after its content, as libFuzzer names them.
put() { # put TARGET FILE [HEADER-BYTES-AS-OCTAL-ESCAPES]
  local dir="$corpus/$1" tmp
  mkdir -p "$dir"
  tmp=$(mktemp)
  printf "${3:-}" >"$tmp"
  cat "$2" >>"$tmp"
  mv "$tmp" "$dir/$(sha1sum "$tmp" | cut -c1-40)"
}

# Gates: parse, check, fmt.
while IFS= read -r -d '' f; do
  for t in parse check fmt; do put "$t" "$f"; done
done < <(find "$root/tests/corpus" "$root/tests/lint" "$root/tests/diff" "$root/tests/fmt" \
  "$root/examples" "$root/stdlib/std" -name '*.gate' -size -64k -print0 2>/dev/null)

# Evidence: load (byte 0 = format: 0 JSON, 1 YAML, 2 TOML).
fmt_byte() {
  case "$1" in
    *.json) echo '\000' ;;
    *.yaml | *.yml) echo '\001' ;;
    *.toml) echo '\002' ;;
  esac
}
while IFS= read -r -d '' f; do
  put load "$f" "$(fmt_byte "$f")"
done < <(find "$root/tests/fixtures" "$root/tests/corpus" "$root/examples/evidence" \
  "$root/tests/formats" "$root/tests/schema" \
  \( -name '*.json' -o -name '*.yaml' -o -name '*.yml' -o -name '*.toml' \) -size -64k -print0 2>/dev/null)

# Evidence for eval: byte 0 = the gate's index in policies.txt, byte 1 = format.
index=0
while read -r gate globs; do
  case "$gate" in '' | '#'*) continue ;; esac
  for g in $globs; do
    for f in $root/$g; do
      [ -f "$f" ] || continue
      put eval "$f" "$(printf '\\%03o' "$index")$(fmt_byte "$f")"
    done
  done
  index=$((index + 1))
done <policies.txt

for d in "$corpus"/*/; do
  echo "$(basename "$d"): $(find "$d" -type f | wc -l) seeds"
done

# Bundles: one valid bundle of the quickstart gate (made with GNU tar as
# `gate bundle build` would make it), and the same with a digest that does
# not match.
tmp=$(mktemp -d)
cp "$root/examples/quickstart.gate" "$tmp/quickstart.gate"
digest=$(sha256sum "$tmp/quickstart.gate" | cut -c1-64)
size=$(wc -c <"$tmp/quickstart.gate")
for d in "$digest" "$(printf '0%.0s' $(seq 64))"; do
  printf '{"bundle_version":"gate-bundle/v1","name":"release","gate":"quickstart.gate","files":[{"path":"quickstart.gate","digest":"sha256:%s","size":%s}]}\n' \
    "$d" "$size" >"$tmp/gate-bundle.json"
  tar --format=ustar --owner=0 --group=0 --numeric-owner --mtime=@0 -cf "$tmp/seed.tar" -C "$tmp" gate-bundle.json quickstart.gate
  put bundle "$tmp/seed.tar"
done
rm -rf "$tmp"
