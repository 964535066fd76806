#!/usr/bin/env bash
# Under valgrind, which has no AVX-512, Highway must pick another target (AVX2 on this machine class)
# and `highway` must still pass: conformance's preset group for Llama-2-7B in every dtype, and the
# extrapolation sweep, with no memory error. The whole suite under valgrind takes about 50 times its
# native minute: `valgrind build/ropebench validate --candidate highway` runs it.
set -euo pipefail
ropebench=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# libhwy's timer executes RDTSCP while the library loads. A (virtual) CPU that does not advertise
# RDTSCP runs it anyway, but valgrind then refuses it as an illegal instruction before any of our
# code runs: nothing can be learnt there, so the test is reported skipped (exit 77), with the reason.
set +e
valgrind -q --error-exitcode=99 "$ropebench" validate --candidate highway --preset llama2-7b \
  --quiet --json "$out/report.json" > "$out/stdout" 2> "$out/stderr"
code=$?
set -e
if [[ $code -ne 0 ]]; then
  if ! grep -qw rdtscp /proc/cpuinfo && grep -q "Illegal opcode" "$out/stderr" &&
     grep -q "hwy::platform::TimerResolution" "$out/stderr"; then
    echo "SKIPPED: this CPU does not advertise RDTSCP, which libhwy's timer runs at load; valgrind"
    echo "stops it there as an illegal instruction (valgrind $(valgrind --version))"
    exit 77
  fi
  cat "$out/stderr"
  echo "FAIL: ropebench under valgrind exited $code"
  exit 1
fi
/usr/bin/python3 - "$out/report.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
chosen = report["machine"]["highway"]["chosen"]
assert chosen != "AVX3", "valgrind has no AVX-512, yet dispatch chose AVX3"
cases = report["validation"]["cases"]
assert cases and all(c["status"] == "pass" for c in cases), "a case failed under valgrind"
sweeps = report["extrapolation"]
assert sweeps and all(s["status"] == "pass" for s in sweeps), "an extrapolation sweep failed"
print(f"under valgrind: target {chosen}, {len(cases)} cases and {len(sweeps)} sweeps pass")
PY
