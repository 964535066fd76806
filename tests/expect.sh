# Helpers the end-to-end shell tests source: each needs $out, a scratch directory of its own.
fail() { echo "FAIL: $*"; exit 1; }

# For a `run` or `bench` whose probe only has to be there: its working sets of 100 MB and more left
# out (Google Benchmark's filter), which on a machine with a large last-level cache (the probe goes to
# twice its size) were a third of a short run.
small_probe=('--benchmark_filter=-/bytes:[0-9]{9,}/')

expect() {  # expected exit code, then the command; its stderr+stdout in $out/said
  local want=$1; shift
  set +e
  "$@" > "$out/said" 2>&1
  local code=$?
  set -e
  [[ $code -eq $want ]] || { cat "$out/said"; fail "$* exited $code, expected $want"; }
}

one_line_error() {  # expected text: the last command printed exactly one line holding it
  [[ $(wc -l < "$out/said") -eq 1 ]] || { cat "$out/said"; fail "not one line"; }
  grep -qF -- "$1" "$out/said" || { cat "$out/said"; fail "expected '$1'"; }
}
