#!/usr/bin/env bash
# Under valgrind, which has no AVX-512, Highway must pick another target (AVX2 on this machine class)
# and `highway` must still pass: conformance's preset group for Llama-2-7B in every dtype, and the
# extrapolation sweep, with no memory error. The whole suite under valgrind takes about 50 times its
# native minute: `valgrind build/ropebench validate --candidate highway` runs it.
set -euo pipefail
ropebench=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
valgrind -q --error-exitcode=99 "$ropebench" validate --candidate highway --preset llama2-7b \
  --quiet --json "$out/report.json" > "$out/stdout"
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
