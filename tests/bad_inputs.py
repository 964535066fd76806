#!/usr/bin/env python3
"""The bad-input table (issue 7): every row is a command given one bad input, and the exact one-line
error and exit code it must get. Nothing may crash, print a second line, or leave a file behind.

usage: bad_inputs.py ROPEBENCH"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

GIB = 1024.0 ** 3
MEMORY_GIB = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / GIB
PRESETS = ("llama2-7b, llama3.1-8b, llama3.2-1b, mistral-7b, qwen2.5-7b, codellama-7b, gptj-6b, "
           "gptneox-20b, phi3.5-mini, deepseek-v2-lite, deepseek-v3, llama2k-linear-x2, llama2k-ntk-alpha8")

V = "ropebench validate: "
NUMPY_ROPE = "/usr/bin/python3 " + str(pathlib.Path(__file__).resolve().parents[1] / "examples" /
                                      "python" / "numpy_rope.py")
SPEC = V + "invalid spec: "
# (arguments, exit code, the one line on stderr); {tmp} is the fixture directory.
ROWS = [
    # The spec, field by field (DESIGN.md §2), through --spec.
    (["validate", "--spec", "head_dim=0"], 2, SPEC + "head_dim: must be in [2, 65536]"),
    (["validate", "--spec", "head_dim=1"], 2, SPEC + "head_dim: must be in [2, 65536]"),
    (["validate", "--spec", "head_dim=abc"], 2, V + "spec field 'head_dim': must be an integer"),
    (["validate", "--spec", "head_dim=128,rotary_dim=63"], 2, SPEC + "rotary_dim: must be even"),
    (["validate", "--spec", "head_dim=64,rotary_dim=128"], 2,
     SPEC + "rotary_dim: must be in [2, head_dim]"),
    (["validate", "--spec", "head_dim=128,base=0"], 2, SPEC + "base: must be > 1"),
    (["validate", "--spec", "head_dim=128,base=-5"], 2, SPEC + "base: must be > 1"),
    (["validate", "--spec", "head_dim=128,base=nan"], 2, SPEC + "base: must be finite"),
    (["validate", "--spec", "head_dim=128,base=inf"], 2, SPEC + "base: must be finite"),
    (["validate", "--spec", "head_dim=128,scaling=linear,factor=0"], 2, SPEC + "factor: must be > 0"),
    (["validate", "--spec", "head_dim=128,scaling=yarn,factor=4"], 2,
     SPEC + "original_max_positions: required by scaling yarn"),
    (["validate", "--spec", "head_dim=128,scaling=dynamic_ntk,factor=2"], 2,
     SPEC + "original_max_positions: required by scaling dynamic_ntk"),
    (["validate", "--spec", "head_dim=128,scaling=yarn,factor=4,original_max_positions=4096,"
      "beta_fast=1,beta_slow=32"], 2, SPEC + "beta_fast: must be > beta_slow"),
    (["validate", "--spec", "head_dim=128,scaling=llama3,factor=8,original_max_positions=8192,"
      "low_freq_factor=4,high_freq_factor=1"], 2, SPEC + "high_freq_factor: must be > low_freq_factor"),
    (["validate", "--spec", "head_dim=128,scaling=longrope,factor=4,original_max_positions=4096,"
      "short_factor=1:1,long_factor=1:1"], 2,
     SPEC + "short_factor: longrope needs rotary_dim/2 = 64 values, got 2"),
    (["validate", "--spec", "head_dim=128,attention_factor=-1"], 2,
     SPEC + "attention_factor: must be positive and finite"),
    (["validate", "--spec", "head_dim=128,seq_len=-3"], 2,
     SPEC + "seq_len: must be >= 0 (0 = max position + 1)"),
    (["validate", "--spec", "head_dim=128,pairing=diagonal"], 2,
     V + "spec field 'pairing': unknown pairing 'diagonal' (interleaved, half_split)"),
    (["validate", "--spec", "head_dim=128,scaling=magic"], 2,
     V + "spec field 'scaling': unknown scaling 'magic' (none, linear, ntk, dynamic_ntk, yarn, "
     "llama3, longrope)"),
    (["validate", "--spec", "head_dim=128,truncate=maybe"], 2,
     V + "spec field 'truncate': must be true or false"),
    (["validate", "--spec", "head_dim=128,frobnicate=1"], 2, V + "unknown spec field 'frobnicate'"),
    (["validate", "--spec", '{"head_dim": 64, "pairing": 3}'], 2,
     V + "spec field 'pairing': must be a string"),
    (["validate", "--spec", "@{tmp}/spec.json"], 2, V + "spec field 'head_dim': must be an integer"),
    (["validate", "--spec", "@{tmp}/no-such-spec.json"], 2,
     V + "cannot read spec file '{tmp}/no-such-spec.json'"),
    # Flags and their values.
    (["frobnicate"], 2, "ropebench: unknown command 'frobnicate' (try 'ropebench help')"),
    (["validate", "--frob"], 2, V + "unknown flag --frob (try 'ropebench validate --help')"),
    (["validate", "--dtype", "f64"], 2, V + "unknown dtype 'f64' (known: f32, f16, bf16)"),
    (["validate", "--preset", "nope"], 2, V + f"unknown preset 'nope' (known: {PRESETS})"),
    (["validate", "--candidate", "nope"], 2,
     V + "unknown candidate 'nope' (known: scalar, openmp, highway, highway_openmp, autovec, "
     "matrix, fp32_angle, ggml_recurrence)"),
    (["validate", "--suite", "nope"], 2,
     V + "unknown suite 'nope' (known: conformance, extrapolation, all)"),
    (["validate", "--target", "NOPE"], 2, None),  # the compiled list depends on the build: prefix only
    (["validate", "--timeout", "-1"], 2,
     V + "--timeout: '-1' is not a number of seconds in (0, 86400]"),
    (["validate", "--accept", "fail"], 2, V + "--accept: 'fail' cannot be accepted (known: precision)"),
    (["run", "--accept", "everything"], 2,
     "ropebench run: --accept: 'everything' cannot be accepted (known: precision)"),
    (["validate", "--tolerance", "0"], 2,
     V + "--tolerance: '0' is not a number of units of roundoff in (0, 1e12]"),
    (["bench", "--tolerance", "-3"], 2,
     "ropebench bench: --tolerance: '-3' is not a number of units of roundoff in (0, 1e12]"),
    (["validate", "--tolerance", "8u"], 2,
     V + "--tolerance: '8u' is not a number of units of roundoff in (0, 1e12]"),
    (["validate", "--tolerance", "nan"], 2,
     V + "--tolerance: 'nan' is not a number of units of roundoff in (0, 1e12]"),
    (["vectors", "export", "--out", "{tmp}/x", "--accept", "precision"], 2,
     "ropebench vectors: --accept does not apply to 'vectors export'"),
    (["validate", "--spec", "head_dim=128", "--heads", "0,8"], 2,
     V + "--heads takes Q,KV with 1 <= KV <= Q <= 1024, e.g. --heads 32,8"),
    (["validate", "--exec", ""], 2,
     V + "flag --exec has an empty value (try 'ropebench validate --help')"),
    (["validate", "--serve", ""], 2,
     V + "flag --serve has an empty value (try 'ropebench validate --help')"),
    (["validate", "--serve", " "], 2, V + "--serve: the command is empty"),
    (["list", "--serve", NUMPY_ROPE, "--serve", NUMPY_ROPE], 2,
     f"ropebench list: --serve '{NUMPY_ROPE}': its name 'numpy_rope' is already taken"),
    # A program that cannot serve is the run's finding, not a usage error: every case carries it.
    (["validate", "--serve", "{tmp}/no-such-program", "--spec", "head_dim=8", "--dtype", "f32",
      "--suite", "conformance", "--quiet"], 1,
     "ropebench: --serve '{tmp}/no-such-program': the program exited (status 127) "
     "before its handshake (its stderr: sh: 1: {tmp}/no-such-program: not found) (each of its "
     "cases reports it)"),
    (["validate", "--plugin", "{tmp}/no-such-plugin.so"], 2,
     V + "plugin {tmp}/no-such-plugin.so: no such file"),
    (["bench", "--tokens", "0"], 2,
     "ropebench bench: --tokens: '0' is not a whole number in [1, 4194304]"),
    (["bench", "--tokens", "-5"], 2,
     "ropebench bench: --tokens: '-5' is not a whole number in [1, 4194304]"),
    (["bench", "--tokens", "abc"], 2,
     "ropebench bench: --tokens: 'abc' is not a whole number in [1, 4194304]"),
    (["bench", "--repetitions", "0"], 2,
     "ropebench bench: --repetitions: '0' is not a whole number in [1, 1000]"),
    (["bench", "--threads", "0"], 2,
     "ropebench bench: --threads: '0' is not a whole number in [1, 1024]"),
    (["bench", "--prefetch-bytes", "100"], 2,
     "ropebench bench: --prefetch-bytes: '100' is not a multiple of 64 in [0, 1048576] "
     "(0: no prefetch)"),
    (["bench", "--f16-store", "fused"], 2,
     "ropebench bench: --f16-store: 'fused' is neither 'converting' nor 'separate'"),
    (["run", "--prefetch-bytes", "-64"], 2,
     "ropebench run: --prefetch-bytes: '-64' is not a multiple of 64 in [0, 1048576] "
     "(0: no prefetch)"),
    (["run", "--min-time", "-1"], 2,
     "ropebench run: --min-time: '-1' is not a number of seconds in (0, 60]"),
    # A huge token count is refused before anything is allocated (on a machine with less than twice
    # its 128 GiB: MACHINE_SKIPS says when this one has more).
    (["bench", "--preset", "llama2-7b", "--dtype", "f32", "--tokens", "4194304"], 2,
     "ropebench bench: --tokens 4194304: llama2-7b f32 would need 128.0 GiB for Q and K (and as "
     f"much again for the bandwidth probe); this machine has {MEMORY_GIB:.1f} GiB"),
    # Reports.
    (["show", "{tmp}/no-such-report.json"], 2,
     "ropebench show: {tmp}/no-such-report.json: cannot read the file"),
    (["show", "{tmp}/truncated.json"], 2,
     "ropebench show: {tmp}/truncated.json: not valid JSON (truncated?) at byte 501"),
    (["show", "{tmp}/empty.json"], 2,
     "ropebench show: {tmp}/empty.json: not valid JSON (truncated?) at byte 1"),
    (["show", "{tmp}/array.json"], 2, "ropebench show: {tmp}/array.json: a report must be a JSON object"),
    (["show", "{tmp}/future.json"], 2,
     "ropebench show: {tmp}/future.json: schema_version 99 is newer than this ropebench reads (1): "
     "update ropebench"),
    (["show", "{tmp}/no-machine.json"], 2,
     "ropebench show: {tmp}/no-machine.json: report: missing field 'machine'"),
    (["compare", "{tmp}/good.json", "{tmp}/nameless.json"], 2,
     "ropebench compare: {tmp}/nameless.json: benchmarks[0]: field 'name' must be a string"),
    (["compare", "{tmp}/good.json"], 2,
     "ropebench compare: compare takes two reports: ropebench compare BASE.json HEAD.json"),
    (["compare", "{tmp}/good.json", "{tmp}/future.json"], 2,
     "ropebench compare: {tmp}/future.json: schema_version 99 is newer than this ropebench reads "
     "(1): update ropebench"),
    (["compare", "--threshold", "abc", "{tmp}/good.json", "{tmp}/good.json"], 2,
     "ropebench compare: --threshold: 'abc' is not a number in [0, 10)"),
    (["compare", "{tmp}/good.json", "{tmp}/good.json", "--thresholds", "{tmp}/thresholds.json"], 2,
     "ropebench compare: {tmp}/thresholds.json: 'default' must be a fraction such as 0.05"),
    (["report", "{tmp}/good.json"], 2,
     "ropebench report: say: ropebench report REPORT.json --html OUT.html"),
    (["report", "{tmp}/truncated.json", "--html", "{tmp}/out.html"], 2,
     "ropebench report: {tmp}/truncated.json: not valid JSON (truncated?) at byte 501"),
    (["report", "{tmp}/good.json", "--html", "{tmp}/out.html", "--plotly-js", "{tmp}/none.js"], 2,
     "ropebench report: plotly.js not found or not plotly.js at {tmp}/none.js: install Debian's "
     "python3-plotly (scripts/setup does) or pass --plotly-js FILE"),
    # The vectors protocol's inputs.
    (["vectors", "export"], 2, "ropebench vectors: export needs --out DIR"),
    (["vectors", "check", "{tmp}/lying-header", "{tmp}/outputs"], 2,
     "ropebench vectors: {tmp}/lying-header/custom.spec.f32.decode.contiguous.positions.npy: "
     "truncated: the header's shape needs 72 data bytes, the file has 8"),
    (["vectors", "check", "{tmp}/no-cases", "{tmp}/no-outputs"], 2,
     "ropebench vectors: {tmp}/no-cases/manifest.json: cannot open: No such file or directory"),
    (["vectors", "check", "{tmp}/lying-header", "{tmp}/no-outputs"], 2,
     "ropebench vectors: {tmp}/no-outputs: not a directory"),
    (["vectors", "check", "{tmp}/not-a-manifest", "{tmp}/outputs"], 2,
     "ropebench vectors: {tmp}/not-a-manifest/manifest.json: not a ropebench vectors manifest "
     "(\"format\" must be \"ropebench-vectors\")"),
]


def make_fixtures(ropebench, tmp):
    run = lambda *args: subprocess.run([ropebench, *args], capture_output=True, check=True)
    run("validate", "--spec", "head_dim=8", "--suite", "extrapolation", "--candidate", "scalar",
        "--quiet", "--json", str(tmp / "good.json"))
    good = (tmp / "good.json").read_bytes()
    (tmp / "truncated.json").write_bytes(good[:500])
    (tmp / "empty.json").write_bytes(b"")
    (tmp / "array.json").write_text("[]")
    report = json.loads(good)
    (tmp / "future.json").write_text(json.dumps(dict(report, schema_version=99)))
    (tmp / "no-machine.json").write_text(json.dumps({k: v for k, v in report.items() if k != "machine"}))
    # What the compare fuzz target found: a benchmark without a name got past the reader.
    nameless = dict(report, benchmarks=[{"name": None, "candidate": "scalar", "preset": "llama2-7b",
                                         "dtype": "f32", "tokens": 1, "threads": 1,
                                         "status": "skipped"}])
    (tmp / "nameless.json").write_text(json.dumps(nameless))
    (tmp / "thresholds.json").write_text('{"default": "x"}')
    (tmp / "spec.json").write_text('{"head_dim": "big"}')
    run("vectors", "export", "--out", str(tmp / "lying-header"), "--spec", "head_dim=8", "--dtype", "f32")
    (tmp / "outputs").mkdir()
    npy = tmp / "lying-header" / "custom.spec.f32.decode.contiguous.positions.npy"
    npy.write_bytes(npy.read_bytes().replace(b"'shape': (1,)", b"'shape': (9,)", 1))
    (tmp / "not-a-manifest").mkdir()
    (tmp / "not-a-manifest" / "manifest.json").write_text('{"cases": 3}')


# Rows this machine cannot exercise, with the reason (printed, never silently dropped).
MACHINE_SKIPS = {
    "4194304": (MEMORY_GIB >= 256, f"this machine has {MEMORY_GIB:.0f} GiB, enough for 4194304 "
                                   "tokens of llama2-7b f32 and the probe: nothing to refuse"),
}


def skipped(args):
    for arg in args:
        skip, reason = MACHINE_SKIPS.get(arg, (False, ""))
        if skip:
            print(f"skipped ropebench {' '.join(args)}: {reason}")
            return True
    return False


def main():
    ropebench = sys.argv[1]
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="ropebench-bad-inputs-"))
    failures = 0
    rows = [row for row in ROWS if not skipped(row[0])]
    try:
        make_fixtures(ropebench, tmp)
        before = sorted(p.name for p in tmp.iterdir())
        for args, code, line in rows:
            argv = [a.replace("{tmp}", str(tmp)) for a in args]
            result = subprocess.run([ropebench, *argv], capture_output=True, text=True, timeout=60)
            expected = None if line is None else line.replace("{tmp}", str(tmp)) + "\n"
            problems = []
            if result.returncode != code:
                problems.append(f"exit {result.returncode}, expected {code}")
            if expected is not None and result.stderr != expected:
                problems.append(f"stderr {result.stderr!r}, expected {expected!r}")
            if expected is None and result.stderr.count("\n") != 1:
                problems.append(f"stderr {result.stderr!r} is not one line")
            if problems:
                failures += 1
                print(f"FAIL ropebench {' '.join(argv)}: " + "; ".join(problems))
        after = sorted(p.name for p in tmp.iterdir())
        if after != before:
            failures += 1
            print(f"FAIL files appeared: {sorted(set(after) - set(before))}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(rows) - failures} of {len(rows)} bad inputs got their exact error")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
