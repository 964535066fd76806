#!/usr/bin/env bash
# The HTML pages end to end, in headless Chromium (tests/check_html_page.py): the page of a real
# `ropebench run` report and of a comparison load with no console output and every figure drawn
# (screenshots kept in ARTIFACTS, their paths printed); a page whose plotting library is broken is
# caught by the same check; bad input is one line and exit 2.
set -euo pipefail
ropebench=$1
artifacts=${2:-$(pwd)/test-artifacts}
root=$(cd "$(dirname "$0")/.." && pwd)
check=(/usr/bin/python3 "$root/tests/check_html_page.py")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
source "$root/tests/expect.sh"
mkdir -p "$artifacts"
# Exit 77 is ctest's "skipped" for this test (SKIP_RETURN_CODE): it needs a browser to draw the page.
command -v chromium > /dev/null || { echo "skipped: no chromium on PATH (scripts/setup --tests installs it)"; exit 77; }

# A real run (validation, extrapolation, bandwidth probe, benchmarks), kept small: one preset with
# scaling (Llama-3.1: the wavelength figure shows which pairs it stretches), two dtypes.
"$ropebench" run --preset llama3.1-8b --candidate scalar,highway --dtype f32,bf16 \
  --tokens 1,16,4096 --repetitions 3 --min-time 0.01 --out "$out/run" --quiet \
  "${small_probe[@]}" > "$out/run.log" 2>&1 ||
  { cat "$out/run.log"; fail "ropebench run failed"; }
report=$(ls "$out"/run/*.json)

# 7 figures: throughput for llama3.1-8b f32 and bf16, the bandwidth probe, extrapolation for f32 and
# bf16, and the preset's decay and wavelength figures.
expect 0 "$ropebench" report "$report" --html "$out/report.html"
grep -qF "(7 figures)" "$out/said" || { cat "$out/said"; fail "expected 7 figures"; }
"${check[@]}" "$out/report.html" 7 "$artifacts/report.png"
grep -qF "Llama" "$out/report.html" || fail "the page does not name the preset's model"

# A precision-limited candidate's page plots what the diagnosis recovered (float32 angles on
# DeepSeek-V3's YaRN: no replay matches, so the candidate is measured), beside the preset's two.
"$ropebench" validate --candidate fp32_angle --preset deepseek-v3 --dtype f32,bf16 --suite conformance \
  --quiet --json "$out/graded.json" > /dev/null 2>&1 || true
expect 0 "$ropebench" report "$out/graded.json" --html "$out/graded.html"
"${check[@]}" "$out/graded.html" 3 "$artifacts/graded.png"
grep -qF "recovered frequencies: fp32_angle" "$out/graded.html" || fail "no recovered-frequency figure"

# A comparison page: the report against itself.
expect 0 "$ropebench" compare "$report" "$report" --html "$out/compare.html"
"${check[@]}" "$out/compare.html" 1 "$artifacts/compare.png"

# The check itself can fail: a plotly.js that throws while loading, and one that never draws.
echo 'var Plotly; throw new Error("broken library");' > "$out/throws.js"
expect 0 "$ropebench" report "$report" --html "$out/throws.html" --plotly-js "$out/throws.js"
expect 1 "${check[@]}" "$out/throws.html" 7 "$out/throws.png"
grep -qF "plotly.js did not load" "$out/said" || { cat "$out/said"; fail "broken library not seen"; }
grep -qF "console:" "$out/said" || { cat "$out/said"; fail "console error not seen"; }
echo 'var Plotly = {newPlot: function () { return new Promise(function () {}); }};' > "$out/idle.js"
expect 0 "$ropebench" report "$report" --html "$out/idle.html" --plotly-js "$out/idle.js"
expect 1 "${check[@]}" "$out/idle.html" 7 "$out/idle.png"
grep -qF "figures not drawn" "$out/said" || { cat "$out/said"; fail "undrawn figures not seen"; }

# Bad input: one line, exit 2, nothing written.
expect 2 "$ropebench" report "$report"
one_line_error "say: ropebench report REPORT.json --html OUT.html"
expect 2 "$ropebench" report "$report" --html "$out/x.html" --plotly-js "$out/none.js"
one_line_error "plotly.js not found"
head -c 1000 "$report" > "$out/truncated.json"
expect 2 "$ropebench" report "$out/truncated.json" --html "$out/x.html"
one_line_error "truncated.json"
expect 2 "$ropebench" compare --machines "$report" "$report" --html "$out/x.html"
one_line_error "--html"
[[ ! -e "$out/x.html" ]] || fail "a failed report command left $out/x.html"
echo "html report: ok"
