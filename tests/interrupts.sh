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

# Validation and extrapolation, the probe, then the benchmarks: the moments below fall in all of them
# (two repetitions of short ones: the run is timed eleven times, and ctest runs this test alone).
args=(run --preset llama2-7b --candidate scalar,highway --dtype f32 --tokens 16,4096
      --repetitions 2 --min-time 0.01 --quiet "${small_probe[@]}")
mkdir "$out/whole"
started=$(date +%s%N)
"$ropebench" "${args[@]}" --out "$out/whole" > "$out/whole.log" 2>&1 ||
  { cat "$out/whole.log"; fail "the uninterrupted run failed"; }
whole_ms=$(( ($(date +%s%N) - started) / 1000000 ))
# Moments from 0.3 s to 60 % of the uninterrupted run, in tenths of a second (a run that has ended
# all the same, on a faster minute, is drawn again).
latest=$(( whole_ms * 6 / 1000 ))
(( latest > 3 )) || fail "the uninterrupted run took only $whole_ms ms: no moment to interrupt it"
# A stop waits at most for the unit of work under way (a case, a benchmark repetition), which takes
# longer on a slower machine: a second, or a 25th of the whole run where that is longer.
bound_ms=$(( whole_ms / 25 > 1000 ? whole_ms / 25 : 1000 ))
echo "uninterrupted: $whole_ms ms; interrupting between 0.3 s and $latest/10 s; stop bound $bound_ms ms"
worst=0
redrawn=0
i=0
while (( i < 10 )); do
  i=$((i + 1))
  delay=$(( (RANDOM % (latest - 2)) + 3 ))  # tenths of a second
  rm -rf "$out/$i" && mkdir "$out/$i"
  "$ropebench" "${args[@]}" --out "$out/$i" > "$out/$i.log" 2>&1 &
  pid=$!
  sleep "$(printf '%d.%d' $((delay / 10)) $((delay % 10)))"
  sent=$(date +%s%N)
  if ! kill -INT "$pid" 2>/dev/null; then
    wait "$pid" || { cat "$out/$i.log"; fail "run $i failed before it was interrupted"; }
    (( ++redrawn <= 5 )) || fail "runs keep ending before 60 % of the first one's $whole_ms ms"
    echo "run $i ended before $delay/10 s: drawn again"
    i=$((i - 1))
    continue
  fi
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

# A second Ctrl-C does not wait for the first to be honoured: the first waits for the case under
# way, and the matrix form's cases take long enough for a second to land meanwhile (interrupted at
# 40 % of its uninterrupted run, timed first). Linux merges a SIGINT sent while another is still
# pending, so the second is sent as soon as the handler has run (SA_RESETHAND has then given SIGINT
# back its default action: bit 2 of SigCgt is clear), polled with shell builtins only. Should the
# stop still win the race, the attempt is made again, up to three times; a second Ctrl-C that is
# really ignored fails all three.
twice_args=(validate --candidate matrix --preset llama2-7b,llama3.1-8b --dtype f32 --quiet)
started=$(date +%s%N)
"$ropebench" "${twice_args[@]}" > /dev/null 2>&1 || true
moment_ms=$(( ($(date +%s%N) - started) / 1000000 * 4 / 10 ))
caught_sigint() {
  local key value
  while read -r key value; do
    [[ $key == SigCgt: ]] && { (( (16#$value & 2) != 0 )); return; }
  done < "/proc/$pid/status"
  return 1
} 2>/dev/null
for attempt in 1 2 3; do
  "$ropebench" "${twice_args[@]}" --json "$out/twice.json" > "$out/twice.log" 2>&1 &
  pid=$!
  sleep "$(printf '%d.%03d' $((moment_ms / 1000)) $((moment_ms % 1000)))"
  kill -INT "$pid"
  polls=0
  while caught_sigint && (( ++polls < 100000 )); do :; done
  kill -INT "$pid" 2>/dev/null || true
  set +e
  wait "$pid"
  code=$?
  set -e
  [[ $code -eq 130 ]] || fail "twice interrupted: exit $code, expected 130 (killed by SIGINT)"
  # Killed by the second signal: it did not go on to finish a case and write a report.
  grep -q INTERRUPTED "$out/twice.log" || break
  echo "twice interrupted, attempt $attempt: the report was written before the second Ctrl-C landed"
  (( attempt < 3 )) || fail "the second Ctrl-C waited for the report, three times"
done
echo "interrupts: 10 of 10 partial reports; slowest stop ${worst} ms (bound ${bound_ms} ms)"
