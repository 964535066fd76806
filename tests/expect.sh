# Helpers the end-to-end shell tests source: each needs $out, a scratch directory of its own.
fail() { echo "FAIL: $*"; exit 1; }

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
