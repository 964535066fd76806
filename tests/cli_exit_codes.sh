#!/usr/bin/env bash
# The ropebench process itself: 0 on success, 2 with one line naming the bad input, never a crash.
set -uo pipefail
ropebench=$1
failures=0
passes=0

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
  passes=$((passes + 1))
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

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$ropebench" validate --candidate scalar --spec head_dim=8,rotary_dim=4 --dtype f32 --quiet \
  --json "$scratch/r.json" > /dev/null
# The Highway targets compiled in (they depend on the compiler and the architecture) and one this CPU
# runs other than the one it would choose, from the report this machine just wrote.
highway() { /usr/bin/python3 -c "import json, sys; h = json.load(open(sys.argv[1]))['machine']['highway']
print($1)" "$scratch/r.json"; }
compiled=$(highway "', '.join(h['compiled'])")
pinned=$(highway "(h['supported'][1:] or h['supported'])[0]")
expect 2 "unknown Highway target 'AVX9' (compiled: $compiled)" validate --target AVX9
expect 2 "unknown Highway target 'AVX9'" run --target AVX9
expect 0 "" validate --target "$pinned" --candidate highway --spec head_dim=10,rotary_dim=6 --quiet

# compare: a report against itself passes; bad inputs are one line, exit 2.
expect 0 "" compare "$scratch/r.json" "$scratch/r.json"
expect 2 "compare takes two reports" compare "$scratch/r.json"
expect 2 "missing.json" compare "$scratch/r.json" "$scratch/missing.json"
head -c 200 "$scratch/r.json" > "$scratch/truncated.json"
expect 2 "truncated.json: not valid JSON" compare "$scratch/r.json" "$scratch/truncated.json"
: > "$scratch/empty.json"
expect 2 "empty.json" compare "$scratch/empty.json" "$scratch/r.json"
sed 's/"schema_version": 1/"schema_version": 99/' "$scratch/r.json" > "$scratch/future.json"
expect 2 "schema_version" compare "$scratch/r.json" "$scratch/future.json"
expect 2 "--format: 'html' is not table or markdown" compare "$scratch/r.json" "$scratch/r.json" --format html
expect 2 "--machines takes two or more reports" compare --machines "$scratch/r.json"

# Another machine's report is refused without --cross-machine, whatever machine runs this test: the
# "other" machine is derived from the report's own fingerprint (tests/as_machine.py --other), and
# the same holds when this report is rewritten to say it came from other CPUs (both vendors, with
# and without AVX-512), as a run on those machines would write it.
as_machine=(/usr/bin/python3 "$(dirname "$0")/as_machine.py")
cpus=(this amd-epyc-7b13 intel-xeon-8481c)
for cpu in "${cpus[@]}"; do
  mine=$scratch/r.json
  if [[ $cpu != this ]]; then
    mine=$scratch/as_$cpu.json
    "${as_machine[@]}" "$scratch/r.json" "$mine" --cpu "$cpu"
  fi
  "${as_machine[@]}" "$mine" "$scratch/other_than_$cpu.json" --other
  expect 0 "" compare "$mine" "$mine"
  expect 2 "machine.vendor, machine.family, machine.model, machine.stepping, machine.isa_flags, machine.highway.chosen differ); compare them with --cross-machine" \
    compare "$mine" "$scratch/other_than_$cpu.json"
  expect 0 "" compare "$mine" "$scratch/other_than_$cpu.json" --cross-machine
  expect 0 "" compare --machines "$mine" "$scratch/other_than_$cpu.json"
done
# Two named CPUs of different vendors differ from each other too.
expect 2 "machine.vendor, machine.family, machine.model, machine.stepping, machine.isa_flags, machine.highway.chosen differ)" \
  compare "$scratch/as_amd-epyc-7b13.json" "$scratch/as_intel-xeon-8481c.json"

echo "$passes passed, $failures failed"
[[ $failures -eq 0 ]]
