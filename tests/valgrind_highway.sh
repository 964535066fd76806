#!/usr/bin/env bash
# Under valgrind, which has no AVX-512, Highway must pick another target (AVX2 on this machine class)
# and `highway` must still pass: conformance's preset group for Llama-2-7B in every dtype, and the
# extrapolation sweep, with no memory error. The whole suite under valgrind takes about 50 times its
# native minute: `valgrind build/ropebench validate --candidate highway` runs it.
#   valgrind_highway.sh ROPEBENCH HWY_TIMER_SHIM
set -euo pipefail
ropebench=$1
timer_shim=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# libhwy's timer executes RDTSCP while the library loads. A (virtual) CPU that does not advertise
# RDTSCP runs it anyway, but valgrind refuses it as an illegal instruction before any of our code
# runs: there the timer is replaced (tests/hwy_timer_for_valgrind.cc; valgrind adds its own
# preloads to the client's LD_PRELOAD).
preload=
if ! grep -qw rdtscp /proc/cpuinfo; then
  preload=$timer_shim
  echo "this CPU does not advertise RDTSCP: libhwy's timer replaced by $(basename "$timer_shim")"
fi
set +e
LD_PRELOAD=$preload valgrind -q --error-exitcode=99 "$ropebench" validate --candidate highway \
  --preset llama2-7b --quiet --json "$out/report.json" > "$out/stdout" 2> "$out/stderr"
code=$?
set -e
if [[ $code -ne 0 ]]; then
  cat "$out/stderr"
  echo "FAIL: ropebench under valgrind exited $code"
  exit 1
fi
/usr/bin/python3 - "$out/report.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
highway = report["machine"]["highway"]
chosen = highway["chosen"]
# Valgrind's virtual CPU, not the host's, decides: dispatch must pick the best target it offers.
assert chosen == highway["supported"][0], f"dispatch chose {chosen} of {highway['supported']}"
cases = report["validation"]["cases"]
assert cases and all(c["status"] == "pass" for c in cases), "a case failed under valgrind"
sweeps = report["extrapolation"]
assert sweeps and all(s["status"] == "pass" for s in sweeps), "an extrapolation sweep failed"
print(f"under valgrind: target {chosen}, {len(cases)} cases and {len(sweeps)} sweeps pass")
PY
