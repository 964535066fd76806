#!/usr/bin/env bash
# The README's example plugin through `--plugin`: it passes every case it supports and declines the
# rest (skipped, never passed); the same source rotating the wrong way fails with the diagnosis
# that says so; one that crashes is reported case by case while the run carries on; a plugin file
# that is not there is refused in one line (exit 2), one of another ABI version or without the ABI's
# symbols is every case's error (exit 1); and a plugin is validated and benchmarked like a built-in
# in one report.
set -euo pipefail
ropebench=$1 example=$2 inverted=$3 wrong_abi=$4 crashing=$5
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
source "$(dirname "$0")/expect.sh"

"$ropebench" validate --plugin "$example" --preset llama2-7b,gptj-6b --quiet \
  --json "$out/example.json" > /dev/null
/usr/bin/python3 - "$out/example.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
cases = report["validation"]["cases"]
assert {c["candidate"] for c in cases} == {"example_c"}, "only the plugin is judged by default"
passed = [c for c in cases if c["status"] == "pass"]
skipped = [c for c in cases if c["status"] == "skip"]
assert passed and skipped and len(passed) + len(skipped) == len(cases), "a case failed"
assert all(c["dtype"] == "f32" for c in passed), "only f32 is supported"
assert all(c["dtype"] != "f32" for c in skipped)
assert all(s["status"] in ("pass", "skip") for s in report["extrapolation"])
print(f"example_c: {len(passed)} cases pass, {len(skipped)} declined and skipped")
PY

set +e
"$ropebench" validate --plugin "$inverted" --preset llama2-7b --dtype f32 --quiet \
  > "$out/inverted.txt" 2>&1
code=$?
set -e
[[ $code -eq 1 ]] || { echo "inverted plugin: exit $code, expected 1"; exit 1; }
grep -q "rotation_inverted" "$out/inverted.txt" || { cat "$out/inverted.txt"; exit 1; }

# A plugin that crashes: every case fails with what happened, and the run still ends with a report.
set +e
"$ropebench" validate --plugin "$crashing" --preset llama2-7b --dtype f32 --suite conformance \
  --quiet --json "$out/crashing.json" > "$out/crashing.txt" 2>&1
code=$?
set -e
[[ $code -eq 1 ]] || { echo "crashing plugin: exit $code, expected 1"; cat "$out/crashing.txt"; exit 1; }
grep -q "crashed (Segmentation fault)" "$out/crashing.txt" || { cat "$out/crashing.txt"; exit 1; }
/usr/bin/python3 -c "
import json, sys
cases = json.load(open(sys.argv[1]))['validation']['cases']
assert cases and all(c['status'] == 'crash' for c in cases), 'every call crashed'
print('crashing: all', len(cases), 'cases reported crash; the run went on')
" "$out/crashing.json"

# A plugin file that is not there is bad input: one line, exit 2.
set +e
"$ropebench" validate --plugin "$out/missing.so" --quiet > /dev/null 2> "$out/err"
code=$?
set -e
[[ $code -eq 2 && $(wc -l < "$out/err") -eq 1 ]] && grep -q "missing.so: no such file" "$out/err" \
  || { echo "missing plugin: exit $code"; cat "$out/err"; exit 1; }

# A plugin of another ABI version, or a library without the ABI's symbols (the C math library), is a
# defect of the plugin: said in one line, every case an error naming it, the run completes, exit 1.
expect_unusable() {  # plugin, expected reason
  set +e
  "$ropebench" validate --plugin "$1" --preset llama2-7b --dtype f32 --quiet \
    --json "$out/unusable.json" > /dev/null 2> "$out/err"
  local code=$?
  set -e
  [[ $code -eq 1 ]] || { echo "$1: exit $code, expected 1"; cat "$out/err"; exit 1; }
  grep -q "$2" "$out/err" || { cat "$out/err"; exit 1; }
  /usr/bin/python3 - "$out/unusable.json" "$2" <<'PY'
import json, sys
report, reason = json.load(open(sys.argv[1])), sys.argv[2]
records = report["validation"]["cases"] + report["extrapolation"]
assert records and all(r["status"] == "error" and reason in r["diagnosis"]["detail"] for r in records)
print(f"unusable plugin: {len(records)} records error: {records[0]['diagnosis']['detail']}")
PY
}
expect_unusable "$wrong_abi" "ABI version 2, this ropebench speaks 1"
libm=$(/usr/bin/python3 -c "import ctypes.util; print(ctypes.util.find_library('m'))")
ldconfig=$(command -v ldconfig || echo /sbin/ldconfig)  # /sbin is not on every user's PATH
libm_path=$("$ldconfig" -p 2>/dev/null |
  awk -v lib="$libm" -v arch="$(uname -m | tr _ -)" '$1 == lib && index($0, arch) && !found {print $NF; found = 1}' || true)
if [[ -n "$libm_path" ]]; then
  expect_unusable "$libm_path" "missing symbol ropebench_abi_version"
else
  echo "skipped: a shared library without the ABI's symbols (no $libm for $(uname -m) in the ldconfig cache)"
fi

# One report with the plugin's validation, its accurate-up-to figure and its benchmarks.
"$ropebench" run --plugin "$example" --preset llama2-7b --dtype f32 --tokens 16,4096 \
  --repetitions 2 --min-time 0.01 --quiet --out "$out/run" "${small_probe[@]}" > /dev/null
/usr/bin/python3 - "$out"/run/*.json <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
sweep = report["extrapolation"][0]
assert sweep["status"] == "pass" and sweep["accurate_up_to"] >= 2**24, sweep
benchmarks = report["benchmarks"]
assert [b["status"] for b in benchmarks] == ["ok", "ok"], benchmarks
for b in benchmarks:
    print(f"example_c tokens {b['tokens']}: {b['bytes_per_second'] / 1e9:.2f} GB/s, roofline "
          f"{b['roofline']:.2f}; accurate up to {sweep['accurate_up_to']}")
PY
