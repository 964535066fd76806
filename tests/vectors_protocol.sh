#!/usr/bin/env bash
# The vectors protocol end to end: `vectors export` -> an independent program (the NumPy example,
# examples/python/numpy_rope.py) -> `vectors check` round-trips for f32, f16 and bf16, and a broken output
# is caught with its diagnosis; malformed manifests, wrong-shaped, wrong-dtype and truncated .npy
# files each get a one-line error naming the file; `--exec` runs the program as a candidate, and a
# program that crashes, hangs, fails or writes nothing is reported case by case while the run
# completes with exit 1.
set -euo pipefail
ropebench=$1
root=$(cd "$(dirname "$0")/.." && pwd)
python=/usr/bin/python3
numpy_rope="$root/examples/python/numpy_rope.py"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
source "$root/tests/expect.sh"

# Round trip in every dtype: llama3.1-8b (GQA, llama3 scaling) and gptj-6b (interleaved, partial).
"$ropebench" vectors export --out "$out/cases" --preset llama3.1-8b,gptj-6b > /dev/null
"$python" "$numpy_rope" "$out/cases" "$out/numpy"
expect 0 "$ropebench" vectors check "$out/cases" "$out/numpy" --quiet --json "$out/check.json"
"$python" - "$out/check.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
cases = report["validation"]["cases"]
dtypes = {c["dtype"] for c in cases if c["status"] == "pass"}
assert dtypes == {"f32", "f16", "bf16"}, dtypes
assert all(c["status"] == "pass" and c["candidate"] == "numpy" for c in cases), cases[0]
sweeps = report["extrapolation"]
assert {s["dtype"] for s in sweeps} == {"f32", "f16", "bf16"} and all(s["status"] == "pass" for s in sweeps)
print(f"round trip: {len(cases)} cases and {len(sweeps)} sweeps pass in f32, f16 and bf16")
PY

# The expected outputs are the reference's: the NumPy outputs agree with them.
"$python" - "$out/cases" "$out/numpy" <<'PY'
import json, sys, numpy as np
cases, outputs = sys.argv[1], sys.argv[2]
for case in json.load(open(f"{cases}/manifest.json"))["cases"]:
    if case["dtype"] != "f32" or case["group"] == "extrapolation":
        continue
    expected = np.load(f"{cases}/{case['id']}.q.expected.npy")
    got = np.load(f"{outputs}/{case['id']}.q.npy").astype(np.float64)
    assert expected.dtype == np.float64 and expected.shape == got.shape
    assert np.max(np.abs(got - expected)) < 1e-5 * np.max(np.abs(expected)), case["id"]
print("q.expected.npy agrees with the NumPy program's output")
PY

# A wrong output is judged like a candidate's: the pairing swapped in one case is diagnosed.
case=preset.llama3.1-8b.f32.random.contiguous
[[ -f "$out/cases/$case.q.npy" ]] || fail "export wrote no $case.q.npy"
"$python" - "$out/numpy/$case.q.npy" <<'PY'
import sys, numpy as np
path = sys.argv[1]
q = np.load(path)
np.save(path, q[..., ::-1].copy())  # every head reversed
PY
expect 1 "$ropebench" vectors check "$out/cases" "$out/numpy" --quiet
grep -q "FAIL numpy preset/llama3.1-8b/f32/random/contiguous" "$out/said" || { cat "$out/said"; fail "reversed heads not reported"; }

# No outputs at all: every case skipped (never passed).
mkdir "$out/empty"
expect 0 "$ropebench" vectors check "$out/cases" "$out/empty" --quiet --json "$out/empty.json"
"$python" -c "
import json, sys
cases = json.load(open(sys.argv[1]))['validation']['cases']
assert cases and all(c['status'] == 'skip' for c in cases)
" "$out/empty.json"

# Broken files: one line naming the file and the problem.
small=$out/small
"$ropebench" vectors export --out "$small" --preset llama2-7b --dtype f32 --suite conformance --no-expected > /dev/null
expected=("$small"/*.expected.npy)
[[ ! -e ${expected[0]} ]] || fail "--no-expected wrote expected outputs"
"$python" "$numpy_rope" "$small" "$out/small_out"
id=preset.llama2-7b.f32.sequential.contiguous
cp -r "$out/small_out" "$out/bad_out"
"$python" -c "
import numpy as np, sys
d, i = sys.argv[1], sys.argv[2]
np.save(f'{d}/{i}.q.npy', np.load(f'{d}/{i}.q.npy')[:, :, :64].copy())   # wrong shape
" "$out/bad_out" "$id"
expect 1 "$ropebench" vectors check "$small" "$out/bad_out" --quiet
grep -q "$id.q.npy: shape \[64, 32, 64\], expected \[64, 32, 128\]" "$out/said" || { cat "$out/said"; fail "wrong shape"; }
cp "$out/small_out/$id.q.npy" "$out/bad_out/"
"$python" -c "
import numpy as np, sys
d, i = sys.argv[1], sys.argv[2]
np.save(f'{d}/{i}.k.npy', np.load(f'{d}/{i}.k.npy').astype(np.float64))   # wrong dtype
" "$out/bad_out" "$id"
expect 1 "$ropebench" vectors check "$small" "$out/bad_out" --quiet
grep -q "$id.k.npy: dtype <f8, expected <f4 (f32)" "$out/said" || { cat "$out/said"; fail "wrong dtype"; }
head -c 1000 "$out/small_out/$id.k.npy" > "$out/bad_out/$id.k.npy"   # truncated
expect 1 "$ropebench" vectors check "$small" "$out/bad_out" --quiet
grep -q "$id.k.npy: truncated" "$out/said" || { cat "$out/said"; fail "truncated output"; }

cp -r "$small" "$out/bad_cases"
edit_manifest() {  # a Python statement changing the manifest m; the result in bad_cases
  "$python" -c "
import json, sys
m = json.load(open(sys.argv[1] + '/manifest.json'))
$1
json.dump(m, open(sys.argv[2] + '/manifest.json', 'w'))
" "$small" "$out/bad_cases"
}
head -c 300 "$small/manifest.json" > "$out/bad_cases/manifest.json"
expect 2 "$ropebench" vectors check "$out/bad_cases" "$out/small_out"
one_line_error "bad_cases/manifest.json: not valid JSON"
edit_manifest "m['cases'][1]['spec']['pairing'] = 'diagonal'"
expect 2 "$ropebench" vectors check "$out/bad_cases" "$out/small_out"
one_line_error "case 1 ('preset.llama2-7b.f32.decode.contiguous'): spec field 'pairing': unknown pairing 'diagonal'"
edit_manifest "m['version'] = 2"
expect 2 "$ropebench" vectors check "$out/bad_cases" "$out/small_out"
one_line_error "version 2 is not supported"
edit_manifest "m['cases'][0]['id'] = '../escape'"
expect 2 "$ropebench" vectors check "$out/bad_cases" "$out/small_out"
one_line_error "id '../escape' is not a plain file-name stem"
cp "$small/manifest.json" "$out/bad_cases/manifest.json"
printf 'not numpy' > "$out/bad_cases/$id.positions.npy"
expect 2 "$ropebench" vectors check "$out/bad_cases" "$out/small_out"
one_line_error "$id.positions.npy: not a .npy file"
expect 2 "$ropebench" vectors check "$out/nowhere" "$out/small_out"
one_line_error "nowhere/manifest.json: cannot open"
expect 2 "$ropebench" vectors export
one_line_error "export needs --out DIR"
expect 2 "$ropebench" vectors check "$small"
one_line_error "check takes two directories"

# --exec: the NumPy program as a candidate, validated and benchmarked in one report. `run` leaves a
# call predicted over 2 s untimed (a slow machine can predict that for 256 tokens of NumPy): such a
# record must say so, and the 16-token one is timed on any machine.
expect 0 "$ropebench" run --exec "$python $numpy_rope" --preset llama2-7b --dtype f32 \
  --tokens 16,256 --repetitions 2 --min-time 0.01 --quiet --out "$out/run" "${small_probe[@]}"
"$python" - "$out"/run/*.json <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
cases = report["validation"]["cases"]
assert cases and all(c["status"] == "pass" and c["candidate"] == "numpy_rope" for c in cases)
sweeps = report["extrapolation"]
assert all(s["status"] == "pass" and s["accurate_up_to"] >= 2**24 for s in sweeps)
benchmarks = [b for b in report["benchmarks"] if b["status"] == "ok"]
assert {b["candidate"] for b in report["benchmarks"]} == {"numpy_rope"}, report["benchmarks"]
untimed = [b for b in report["benchmarks"] if b["status"] != "ok"]
for b in untimed:
    assert b["tokens"] != 16 and b.get("skip_reason", "").startswith("not timed: a call takes"), b
    print(f"numpy_rope tokens {b['tokens']}: {b['skip_reason']} (this machine is slow for it)")
assert len(benchmarks) + len(untimed) == 2 and all(b["timing"] == "self_reported" for b in benchmarks), [
    {k: b.get(k) for k in ("name", "status", "skip_reason", "error", "timing")}
    for b in report["benchmarks"]]
for b in benchmarks:
    print(f"numpy_rope {b['dtype']:5} tokens {b['tokens']:5}: {b['bytes_per_second'] / 1e9:.2f} GB/s,"
          f" roofline {b['roofline']:.2f}, accurate up to {sweeps[0]['accurate_up_to']}")
PY

# Programs that crash, hang, fail or write nothing: each case says so, the run completes, exit 1.
cat > "$out/bad_program.py" <<'PY'
import os, signal, sys, time
mode = os.environ["MODE"]
if mode == "crash":
    os.kill(os.getpid(), signal.SIGSEGV)
if mode == "hang":
    time.sleep(60)
if mode == "fail":
    sys.exit("cannot do this")
PY
for mode in crash:crash hang:timeout fail:error silent:error; do
  # Only the hanging program is given a short --timeout: the others must be seen to crash or fail,
  # however long Python takes to start on this machine.
  timeout=()
  [[ ${mode%%:*} == hang ]] && timeout=(--timeout 1)
  MODE=${mode%%:*} expect 1 "$ropebench" validate --exec "$python $out/bad_program.py" \
    --preset llama2-7b --dtype f32 "${timeout[@]}" --quiet --json "$out/bad.json"
  "$python" - "$out/bad.json" "${mode#*:}" "${mode%%:*}" <<'PY'
import json, sys
report, status, mode = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
records = report["validation"]["cases"] + report["extrapolation"]
assert records and all(r["status"] == status for r in records), {r["status"] for r in records}
detail = records[0]["diagnosis"]["detail"]
print(f"program that does '{mode}': {len(records)} records {status}: {detail}")
PY
done
