#!/usr/bin/env bash
# The ropebench process itself: 0 on success, 2 with one line naming the bad input, never a crash.
set -uo pipefail
ropebench=$1
failures=0

expect() {  # expect CODE PATTERN ARGS...
  local code=$1 pattern=$2
  shift 2
  local err
  err=$("$ropebench" "$@" 2>&1 >/dev/null)
  local got=$?
  if [[ $got -ne $code ]]; then
    echo "FAIL: ropebench $* exited $got, expected $code"; failures=$((failures + 1)); return
  fi
  if [[ -n $pattern ]] && ! grep -q -- "$pattern" <<<"$err"; then
    echo "FAIL: ropebench $*: stderr '$err' lacks '$pattern'"; failures=$((failures + 1)); return
  fi
  if [[ $code -eq 2 && $(wc -l <<<"$err") -ne 1 ]]; then
    echo "FAIL: ropebench $*: error is not one line: $err"; failures=$((failures + 1)); return
  fi
  echo "ok: ropebench $* -> $got"
}

expect 0 "" help
expect 0 "" --help
expect 0 "" list
expect 0 "" validate --help
expect 2 "unknown command 'frobnicate'" frobnicate
expect 2 "unknown flag --bogus" validate --bogus
expect 2 "unknown candidate 'nope'" validate --candidate nope
expect 2 "unknown preset 'llama-9'" validate --preset llama-9
expect 2 "unknown dtype 'f64'" validate --dtype f64
expect 2 "rotary_dim: must be even" validate --spec head_dim=64,rotary_dim=33
expect 0 "" validate --candidate scalar --spec head_dim=8,rotary_dim=4 --dtype f32 --quiet
expect 1 "" validate --candidate fp32_angle --suite extrapolation --dtype f32 --quiet
expect 2 "unknown Highway target 'AVX9' (compiled: AVX3, AVX2, SSE4, SSSE3, SCALAR)" \
  validate --target AVX9
expect 2 "unknown Highway target 'AVX9'" run --target AVX9
expect 0 "" validate --target SSE4 --candidate highway --spec head_dim=10,rotary_dim=6 --quiet

# compare: a report against itself passes; bad inputs are one line, exit 2.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$ropebench" validate --candidate scalar --spec head_dim=8,rotary_dim=4 --dtype f32 --quiet \
  --json "$scratch/r.json" > /dev/null
expect 0 "" compare "$scratch/r.json" "$scratch/r.json"
expect 2 "compare takes two reports" compare "$scratch/r.json"
expect 2 "missing.json" compare "$scratch/r.json" "$scratch/missing.json"
head -c 200 "$scratch/r.json" > "$scratch/truncated.json"
expect 2 "truncated.json: not valid JSON" compare "$scratch/r.json" "$scratch/truncated.json"
: > "$scratch/empty.json"
expect 2 "empty.json" compare "$scratch/empty.json" "$scratch/r.json"
sed 's/"schema_version": 1/"schema_version": 99/' "$scratch/r.json" > "$scratch/future.json"
expect 2 "schema_version" compare "$scratch/r.json" "$scratch/future.json"
sed 's/"model": [0-9]*/"model": 1/' "$scratch/r.json" > "$scratch/other_machine.json"
expect 2 "machine.model differ); compare them with --cross-machine" \
  compare "$scratch/r.json" "$scratch/other_machine.json"
expect 0 "" compare "$scratch/r.json" "$scratch/other_machine.json" --cross-machine
expect 2 "--format: 'html' is not table or markdown" compare "$scratch/r.json" "$scratch/r.json" --format html
expect 0 "" compare --machines "$scratch/r.json" "$scratch/other_machine.json"
expect 2 "--machines takes two or more reports" compare --machines "$scratch/r.json"

passed=$(( 15 + 12 - failures ))
echo "$passed passed, $failures failed"
[[ $failures -eq 0 ]]
