#!/usr/bin/env bash
# Ctrl-C during `ropebench run` (issue 7): interrupted at a random moment, ten times, the run stops
# promptly and leaves a readable report, valid against the schema and marked partial, with exit
# code 130; `show` reads it back. Then a second SIGINT during the same run ends it at once.
# Nothing here assumes the machine's speed: the moments and the bound on the stop are fractions of
# an uninterrupted run of the same command, timed first on this machine.
set -euo pipefail
ropebench=$1
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
source "$root/tests/expect.sh"
RANDOM=${SEED:-20261129}  # reproducible moments; SEED=... for others

# Validation and extrapolation, the probe, then the benchmarks: the moments below fall in all of them.
args=(run --preset llama2-7b,llama3.1-8b --candidate scalar,highway --dtype f32 --tokens 16,4096
      --repetitions 5 --quiet)
mkdir "$out/whole"
started=$(date +%s%N)
"$ropebench" "${args[@]}" --out "$out/whole" > "$out/whole.log" 2>&1 ||
  { cat "$out/whole.log"; fail "the uninterrupted run failed"; }
whole_ms=$(( ($(date +%s%N) - started) / 1000000 ))
# Moments from 0.3 s to 90 % of the uninterrupted run, in tenths of a second.
latest=$(( whole_ms * 9 / 1000 ))
(( latest > 3 )) || fail "the uninterrupted run took only $whole_ms ms: no moment to interrupt it"
# A stop waits at most for the unit of work under way (a case, a benchmark repetition), which takes
# longer on a slower machine: a second, or a 25th of the whole run where that is longer.
bound_ms=$(( whole_ms / 25 > 1000 ? whole_ms / 25 : 1000 ))
echo "uninterrupted: $whole_ms ms; interrupting between 0.3 s and $latest/10 s; stop bound $bound_ms ms"
worst=0
for i in $(seq 1 10); do
  delay=$(( (RANDOM % (latest - 2)) + 3 ))  # tenths of a second
  mkdir "$out/$i"
  "$ropebench" "${args[@]}" --out "$out/$i" > "$out/$i.log" 2>&1 &
  pid=$!
  sleep "$(printf '%d.%d' $((delay / 10)) $((delay % 10)))"
  sent=$(date +%s%N)
  kill -INT "$pid" 2>/dev/null || fail "run $i had already ended before $delay/10 s"
  set +e
  wait "$pid"
  code=$?
  set -e
  stopped_ms=$(( ($(date +%s%N) - sent) / 1000000 ))
  (( stopped_ms > worst )) && worst=$stopped_ms
  [[ $code -eq 130 ]] || { cat "$out/$i.log"; fail "run $i exited $code, expected 130"; }
  report=$(ls "$out/$i"/*.json 2>/dev/null) || { cat "$out/$i.log"; fail "run $i left no report"; }
  [[ $(ls "$out/$i" | wc -l) -eq 1 ]] || fail "run $i left more than its report: $(ls "$out/$i")"
  /usr/bin/python3 "$root/tests/check_schema.py" "$root/reports/report.schema.json" "$report" > /dev/null ||
    fail "run $i: the partial report does not match the schema"
  /usr/bin/python3 - "$report" <<'PY' || fail "run $i: not marked partial"
import json, sys
run = json.load(open(sys.argv[1]))["run"]
assert run.get("partial") is True and run.get("interrupted_by") == "SIGINT", run
PY
  "$ropebench" show "$report" > "$out/show.txt" || fail "show cannot read run $i's report"
  grep -q "partial" "$out/show.txt" || fail "show does not say run $i is partial"
  echo "run $i: interrupted at ${delay}00 ms, stopped ${stopped_ms} ms later, partial report ok"
done
# Promptly (ctest runs this test alone: others' load would stretch it).
(( worst <= bound_ms )) || fail "the slowest stop took $worst ms (bound $bound_ms ms)"

# compare says when it is given a partial report (whatever its verdict on what did run).
"$ropebench" compare "$out"/1/*.json "$out"/2/*.json > /dev/null 2> "$out/compare.err" || true
grep -q "is a partial report (interrupted by SIGINT)" "$out/compare.err" ||
  { cat "$out/compare.err"; fail "compare does not say that a report is partial"; }

# A second Ctrl-C does not wait for the first to be honoured.
"$ropebench" "${args[@]}" --out "$out/twice" > "$out/twice.log" 2>&1 &
pid=$!
sleep "$(printf '%d.%d' $((latest / 20)) $((latest / 2 % 10)))"  # mid-run
kill -INT "$pid"; kill -INT "$pid" 2>/dev/null || true
set +e
wait "$pid"
code=$?
set -e
[[ $code -eq 130 ]] || fail "twice interrupted: exit $code, expected 130 (killed by SIGINT)"
# Killed by the second signal: it did not go on to finish a case and write a report.
! grep -q INTERRUPTED "$out/twice.log" || fail "the second Ctrl-C waited for the report"
echo "interrupts: 10 of 10 partial reports; slowest stop ${worst} ms (bound ${bound_ms} ms)"
