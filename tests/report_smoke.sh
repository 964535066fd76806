#!/usr/bin/env bash
# The benchmark binary as a cheap smoke (tiny min time; no timing is asserted), the reports it writes
# checked against the published schema, and `show` on good and broken reports.
set -uo pipefail
ropebench=$1
schema=$2
inverted_plugin=$3  # examples/plugin built to rotate the wrong way
checker=$(dirname "$0")/check_schema.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
passes=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; passes=$((passes + 1)); }
tiny=(--tokens 1,16 --repetitions 1 --min-time 0.001 --quiet)
# The runs after the first, which checks the probe, leave it out (Google Benchmark's filter): it
# measures working sets up to twice the last-level cache, the longest part of a smoke run.
no_probe=(--benchmark_filter=rope/)

# Every built-in candidate that is not an emulation, on the issue's presets and dtypes.
"$ropebench" bench --preset llama3.1-8b,gptneox-20b --dtype f32,bf16 "${tiny[@]}" \
  --json "$tmp/bench.json" >"$tmp/bench.out" 2>&1 && ok "bench exits 0" || fail "bench exit $?"
grep -q "bandwidth probe" "$tmp/bench.out" && ok "bench prints the probe" || fail "no probe in summary"

# A candidate with a convention defect (the example plugin rotating the wrong way) is skipped with
# the reason and never timed; a precision-limited one (fp32_angle: the right convention, float32
# angles) is timed, with its verdict beside the figure. Either way the exit code says the checks
# did not all pass.
"$ropebench" bench --plugin "$inverted_plugin" --preset llama2-7b --dtype f32 "${tiny[@]}" "${no_probe[@]}" \
  --json "$tmp/skipped.json" >/dev/null 2>&1
[[ $? -eq 1 ]] && ok "failing candidate exits 1" || fail "failing candidate did not exit 1"
/usr/bin/python3 - "$tmp/skipped.json" <<'PY' && ok "skipped, never timed" || fail "skipped benchmark has timings"
import json, sys
benchmarks = json.load(open(sys.argv[1]))["benchmarks"]
assert benchmarks, "no benchmarks"
for b in benchmarks:
    assert b["status"] == "skipped" and b["validation_failed"], b
    assert "fails validation" in b["skip_reason"] and "repetition_ns" not in b, b
PY
"$ropebench" bench --candidate fp32_angle --preset llama3.1-8b --dtype f32 "${tiny[@]}" "${no_probe[@]}" \
  --json "$tmp/precision.json" >"$tmp/precision.out" 2>&1
[[ $? -eq 1 ]] && ok "precision-limited candidate exits 1" || fail "precision-limited candidate did not exit 1"
/usr/bin/python3 - "$tmp/precision.json" <<'PY' && ok "precision-limited, timed" || fail "precision-limited not timed"
import json, sys
benchmarks = json.load(open(sys.argv[1]))["benchmarks"]
limited = [b for b in benchmarks if b["status"] == "ok" and b["verdict"] == "precision"]
assert limited, benchmarks  # the decode token, at the model's last position, shows float32's limit
for b in benchmarks:
    assert b["status"] == "ok" and b["repetition_ns"] and b["verdict"] in ("pass", "precision"), b
for b in limited:
    assert b["verdict_detail"], b  # what limits it, in words
PY
grep -q "p = precision-limited" "$tmp/precision.out" && ok "the summary marks it" || fail "no precision mark"
"$ropebench" bench --candidate fp32_angle --preset llama3.1-8b --dtype f32 "${tiny[@]}" "${no_probe[@]}" \
  --accept precision >/dev/null 2>&1 && ok "--accept precision exits 0" || fail "--accept precision exit $?"
# --tolerance sets the bound: float32 angles' ~2,000u at Llama-3.1-8B's last position pass under a
# bound that generous, and fail under the table's.
"$ropebench" validate --candidate fp32_angle --preset llama3.1-8b --dtype f32 --suite conformance \
  --tolerance 1e9 --quiet --json "$tmp/tolerance.json" >/dev/null 2>&1 \
  && ok "--tolerance 1e9 passes float32 angles" || fail "--tolerance 1e9 exit $?"
/usr/bin/python3 - "$tmp/tolerance.json" <<'PY' && ok "the report records the bound" || fail "bound not recorded"
import json, sys
report = json.load(open(sys.argv[1]))
assert report["run"]["settings"]["tolerance_u"] == 1e9, report["run"]["settings"]
assert all(c["metrics"]["tolerance_u"] == 1e9 for c in report["validation"]["cases"] if "metrics" in c)
PY
"$ropebench" validate --candidate fp32_angle --preset llama3.1-8b --dtype f32 --suite conformance \
  --quiet --json "$tmp/graded.json" >/dev/null 2>&1
[[ $? -eq 1 ]] && ok "precision-limited validation exits 1" || fail "precision-limited validation did not exit 1"
/usr/bin/python3 - "$tmp/graded.json" <<'PY' && ok "graded precision, with size and first position" || fail "not graded precision"
import json, sys
cases = json.load(open(sys.argv[1]))["validation"]["cases"]
graded = [c for c in cases if c["status"] == "precision"]
assert graded and all(c["status"] in ("pass", "precision") for c in cases), [c["status"] for c in cases]
for c in graded:
    m = c["metrics"]
    assert m["max_pair_error_u"] > m["tolerance_u"] and m["first_failing_position"] >= 0, m
    assert c["diagnosis"]["code"] == "low_precision_angle", c["diagnosis"]
PY

"$ropebench" validate --preset gptj-6b --dtype bf16 --quiet --json "$tmp/validate.json" >/dev/null 2>&1 \
  && ok "validate exits 0" || fail "validate exit $?"
/usr/bin/python3 "$checker" "$schema" "$tmp/bench.json" "$tmp/skipped.json" "$tmp/precision.json" "$tmp/validate.json" \
  && ok "reports match the schema" || fail "a report does not match the schema"

# The schema check itself can fail: a report with a benchmark missing its raw samples.
/usr/bin/python3 - "$tmp/bench.json" "$tmp/broken.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
next(b for b in r["benchmarks"] if b["status"] == "ok").pop("repetition_ns")
json.dump(r, open(sys.argv[2], "w"))
PY
/usr/bin/python3 "$checker" "$schema" "$tmp/broken.json" >/dev/null \
  && fail "the schema accepted a benchmark without repetition_ns" || ok "the schema refuses a broken report"

"$ropebench" show "$tmp/bench.json" >"$tmp/show.out" 2>&1 && grep -q "tok" "$tmp/show.out" \
  && ok "show prints the summary" || fail "show failed"

expect_show_error() {  # FILE PATTERN
  local err
  err=$("$ropebench" show "$1" 2>&1 >/dev/null)
  local code=$?
  if [[ $code -eq 2 && $(wc -l <<<"$err") -eq 1 && $err == *"$2"* ]]; then
    ok "show $(basename "$1"): $err"
  else
    fail "show $(basename "$1") exited $code with: $err"
  fi
}
head -c 3000 "$tmp/bench.json" >"$tmp/truncated.json"
expect_show_error "$tmp/truncated.json" "not valid JSON (truncated?) at byte"
echo '[1, 2]' >"$tmp/array.json"
expect_show_error "$tmp/array.json" "a report must be a JSON object"
sed 's/"schema_version": 1/"schema_version": 9/' "$tmp/bench.json" >"$tmp/future.json"
expect_show_error "$tmp/future.json" "schema_version 9 is newer"
expect_show_error "$tmp/broken.json" "missing field 'repetition_ns'"
expect_show_error "$tmp/nonexistent.json" "cannot read the file"

echo "$passes passed, $failures failed"
[[ $failures -eq 0 ]]
