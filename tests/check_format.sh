#!/usr/bin/env bash
# Fails, naming the files, when any C++ source differs from what clang-format makes of it.
set -euo pipefail
clang_format=$1
mapfile -t files < <(git ls-files '*.cc' '*.h' 2>/dev/null || find reference impls bench reports tests -name '*.cc' -o -name '*.h')
"$clang_format" --dry-run --Werror "${files[@]}"
