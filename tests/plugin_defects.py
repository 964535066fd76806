#!/usr/bin/python3
"""Plugins with one injected defect each (tests/plugins/defective_rope.c), judged through --plugin:
each must end its run with exit 1 and a report in which the defect shows with the expected status
and diagnosis code; every failure of that plugin must carry that code (no mis-diagnosis). The same
source without a defect passes the same cases, so the failures are the defects' own.

usage: plugin_defects.py ROPEBENCH PLUGIN_DIR [--sanitized]

--sanitized (the sanitizer builds, scripts/sanitize): only the rows whose failure takes its own way
through ropebench's code (a crash, a hang, an error code, writes outside the tensors or to the
positions, nondeterminism, one wrong rotation); the other rows differ from that one only in the
numbers the validator judges, which the validation tests cover under the sanitizers."""
import json
import os
import subprocess
import sys
import tempfile

ROPEBENCH, PLUGINS = sys.argv[1], sys.argv[2]
SANITIZED = sys.argv[3:] == ["--sanitized"]
WORK = tempfile.mkdtemp(prefix="ropebench-defects-")

# defect, what to validate on (f32: the plugin's dtype), the status and diagnosis code expected.
LLAMA2 = ["--preset", "llama2-7b"]
DYNAMIC_NTK = ["--spec", "head_dim=128,scaling=dynamic_ntk,factor=2,original_max_positions=2048"]
ROWS = [
    ("pairing_swapped", LLAMA2, "fail", "pairing_swapped"),                              # row 1
    ("frequencies_over_head_dim", ["--preset", "gptneox-20b"], "fail", "partial_rotary_ignored"),  # 2
    ("decode_offset", LLAMA2, "fail", "position_offset"),                                # row 3
    ("positions_as_index", LLAMA2, "fail", "position_offset"),                           # row 4
    ("fp32_angle", LLAMA2, "precision", "low_precision_angle"),                               # row 5
    ("bf16_cos_sin", LLAMA2, "precision", "low_precision_angle"),                             # row 6
    # A single decode token shows no drift with position to diagnose: those may be unexplained.
    ("float_pi_reduction", LLAMA2, "precision", "low_precision_angle", {"unexplained"}),      # row 7
    ("base_fallback", ["--preset", "qwen2.5-7b"], "fail", "base_mismatch"),              # row 8
    ("cos_sin_swapped", LLAMA2, "fail", "cos_sin_swapped"),                              # row 9
    ("dynamic_ntk_never_scaled_back", DYNAMIC_NTK, "fail", "nondeterministic"),          # row 10
    ("yarn_truncate_ignored", ["--preset", "deepseek-v3"], "fail", "scaling_mismatch"),  # row 11
    ("attention_factor_missing", ["--preset", "deepseek-v3"], "fail",
     "attention_factor_missing"),                                                        # row 12
    ("llama3_factor_hardcoded", ["--preset", "llama3.2-1b"], "fail", "scaling_mismatch"),  # 13
    ("longrope_switch_at_original", None, "fail", "scaling_mismatch"),                   # row 14
    ("head_tail_overrun", LLAMA2, "fail", "guard_violation"),                            # row 15
    ("strides_ignored", ["--preset", "llama3.1-8b"], "fail", "guard_violation"),         # row 16
    ("nondeterministic", LLAMA2, "fail", "nondeterministic"),                            # row 17
    ("out_of_bounds_write", LLAMA2, "fail", "guard_violation"),                          # row 18
    ("writes_positions", LLAMA2, "fail", "guard_violation"),                             # row 18
    ("crash_on_long_calls", LLAMA2, "crash", "crash"),
    ("hang", LLAMA2 + ["--timeout", "0.3"], "timeout", "timeout"),
    ("error_code", LLAMA2, "error", "error"),
]


if SANITIZED:
    OWN_CODE_PATHS = {"pairing_swapped", "nondeterministic", "out_of_bounds_write", "writes_positions",
                      "crash_on_long_calls", "hang", "error_code"}
    ROWS = [row for row in ROWS if row[0] in OWN_CODE_PATHS]


def validate(defect, args):
    report = os.path.join(WORK, defect + ".json")
    command = [ROPEBENCH, "validate", "--plugin", os.path.join(PLUGINS, f"defect_{defect}.so"),
               "--dtype", "f32", "--quiet", "--json", report] + args
    run = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if not os.path.exists(report):
        sys.exit(f"{defect}: no report (exit {run.returncode})\n{run.stdout}\n{run.stderr}")
    with open(report) as f:
        return run, json.load(f)


def judged(report):
    """Every case and sweep record, as (name, status, diagnosis code)."""
    records = [(c["name"], c["status"], (c.get("diagnosis") or {}).get("code"))
               for c in report["validation"]["cases"]]
    records += [("extrapolation/" + s["dtype"], s["status"], (s.get("diagnosis") or {}).get("code"))
                for s in report["extrapolation"]]
    return records


# The LongRoPE switch is only visible at seq_len == original_max_positions, which no preset case
# has: Phi-3.5's spec from a report, with seq_len pinned there.
run, report = validate("none", ["--preset", "phi3.5-mini", "--suite", "conformance"])
spec = report["validation"]["cases"][0]["spec"]
spec["seq_len"] = spec["original_max_positions"]
longrope_file = os.path.join(WORK, "phi3.5-at-original.json")
with open(longrope_file, "w") as f:
    json.dump(spec, f)
LONGROPE = ["--spec", "@" + longrope_file, "--heads", "32,32"]

# Without a defect, every case each defect is judged on passes.
for args in {tuple(row[1]) for row in ROWS if row[1]} | {tuple(LONGROPE)}:
    args = [a for a in args if a not in ("--timeout", "0.3")]
    run, report = validate("none", args)
    bad = [r for r in judged(report) if r[1] not in ("pass", "skip")]
    if run.returncode != 0 or bad:
        sys.exit(f"the defect-free plugin fails on {args}: exit {run.returncode}, {bad[:3]}")

failures = []
for defect, args, status, code, *tolerated in ROWS:
    run, report = validate(defect, args or LONGROPE)
    records = judged(report)
    failed = [r for r in records if r[1] not in ("pass", "skip")]
    shown = [r for r in failed if r[1] == status and r[2] == code]
    wrong = [r for r in failed if r[2] != code and r[2] not in (tolerated or [set()])[0]]
    if run.returncode != 1 or not shown or wrong:
        failures.append(f"{defect}: exit {run.returncode}, {len(shown)} of {len(failed)} failures "
                        f"show {status}/{code}; others: {wrong[:3]}")
    else:
        print(f"{defect:32} exit 1, {len(shown):3} of {len(records)} records {status}/{code}")


def bench(defect, tokens):
    """`ropebench bench` on the plugin: its exit code and the report's benchmarks by token count."""
    report = os.path.join(WORK, defect + "-bench.json")
    command = [ROPEBENCH, "bench", "--plugin", os.path.join(PLUGINS, f"defect_{defect}.so"),
               "--preset", "llama2-7b", "--dtype", "f32", "--tokens", tokens, "--repetitions", "1",
               "--min-time", "0.001", "--quiet", "--json", report,
               "--benchmark_filter=rope/"]  # no bandwidth probe: what is checked is the plugin's
    run = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if not os.path.exists(report):
        return run.returncode, None
    with open(report) as f:
        return run.returncode, {b["tokens"]: b for b in json.load(f)["benchmarks"]}


# Timed in its worker process: a crash on long calls is that benchmark's status, not the run's end.
code, timed = bench("crash_on_long_calls", "16,4096")
if code != 1 or timed is None or timed[4096]["status"] != "crash" or timed[16]["status"] != "ok":
    failures.append(f"crash_on_long_calls benchmarked: exit {code}, "
                    f"{ {t: b['status'] for t, b in timed.items()} if timed else 'no report'}")
else:
    print(f"{'crash_on_long_calls (bench)':32} exit 1, 16 tokens ok, 4096 tokens crash, report written")
# Precision-limited: timed, its verdict in the record (the decode token sits at position 4095).
if not SANITIZED:
    code, timed = bench("fp32_angle", "1")
    b = timed and timed[1]
    if code != 1 or not b or b["status"] != "ok" or b.get("verdict") != "precision" or not b["repetition_ns"]:
        failures.append(f"fp32_angle benchmarked: exit {code}, {b}")
    else:
        print(f"{'fp32_angle (bench)':32} exit 1, timed ({b['timing']}), verdict precision")
if failures:
    sys.exit("\n".join(failures))
