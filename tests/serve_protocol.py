#!/usr/bin/python3
"""The serve protocol (--serve) against programs that break it (tests/serve/misbehaving.py): each
run must complete with its report written, every case carrying the expected status, and a
well-behaved program's cases passing around the broken calls. And the state a program keeps
between calls is seen: a history-dependent dynamic NTK cache passes through --exec (a fresh process
per call) and is caught through --serve.

usage: serve_protocol.py ROPEBENCH [--sanitized]

--sanitized (the sanitizer builds, scripts/sanitize): the misbehaving programs only; the examples'
verdicts are the same code paths as those of the plain build, with Python doing the work."""
import collections
import json
import os
import subprocess
import sys
import tempfile

ROPEBENCH = sys.argv[1]
SANITIZED = sys.argv[2:] == ["--sanitized"]
HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAM = f"/usr/bin/python3 {HERE}/serve/misbehaving.py"
WORK = tempfile.mkdtemp(prefix="ropebench-serve-")
LLAMA2 = ["--preset", "llama2-7b", "--dtype", "f32"]
# The broken programs on small heads: what they break is the protocol, whatever the payload, and a
# case costs ten times as much under the sanitizers (the well-behaved program takes Llama-2-7B's).
SMALL = ["--spec", "head_dim=16", "--heads", "2,1", "--dtype", "f32"]
DYNAMIC_NTK = ["--spec", "head_dim=128,scaling=dynamic_ntk,factor=2,original_max_positions=2048",
               "--heads", "2,1", "--dtype", "f32"]
failures = []


def validate(mode, args, how="--serve", timeout="20"):
    report = os.path.join(WORK, f"{mode}{how}.json")
    command = [ROPEBENCH, "validate", how, f"{PROGRAM} {mode} {WORK}", "--timeout", timeout, "--quiet",
               "--json", report] + args
    run = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if not os.path.exists(report):
        sys.exit(f"{mode}: no report (exit {run.returncode})\n{run.stdout}\n{run.stderr}")
    with open(report) as f:
        cases = json.load(f)["validation"]["cases"]
    return run, cases


def expect(mode, condition, what, run, cases):
    statuses = collections.Counter(c["status"] for c in cases)
    line = f"{mode:24} exit {run.returncode} {dict(statuses)}"
    if condition:
        print("ok  ", line)
    else:
        failures.append(f"{mode}: {what}; {line}\n{run.stderr[-2000:]}")
        print("FAIL", line, "--", what)


def details(cases):
    return [c["diagnosis"]["detail"] for c in cases if c.get("diagnosis")]


# The program cannot serve: every case carries why, named on stderr once.
for mode, status, said in [
        ("crash_at_start", "crash", "crashed (Segmentation fault) before its handshake"),
        ("version_2", "error", "speaks serve version 2; this ropebench speaks version 1"),
        ("no_handshake", "timeout", "wrote no handshake within 3 s"),
        ("handshake_not_a_string", "error", "first line is not a serve handshake"),
]:
    run, cases = validate(mode, SMALL, timeout="3" if mode == "no_handshake" else "20")
    expect(mode, run.returncode == 1 and cases and all(c["status"] == status for c in cases)
           and all(said in d for d in details(cases)) and said in run.stderr,
           f"every case {status} with '{said}', said on stderr", run, cases)

# One call breaks: that case (or the check whose call it was) carries it, the program is started
# again and the cases after it pass.
for mode, status, said in [
        ("crash_on_10th", "crash", "the program crashed (Segmentation fault)"),
        ("crash_on_3rd_beside_a_child", "crash", "the program crashed (Segmentation fault)"),
        ("hang_on_3rd", "timeout", "did not answer within 3 s (killed)"),
        ("garbage_on_3rd", "error", "protocol error: the program answered 'Loading checkpoint"),
        ("non_utf8_on_3rd", "error", "protocol error: the program answered '?? progress ??'"),
        ("stray_line_on_3rd", "error", "output that answers no request: '{\"ok\": true}'"),
        # Whether the partial line is there before the next request or only with its answer is
        # the program's timing: either way the call is a protocol error quoting it.
        ("partial_line_on_3rd", "error", "'50%?"),
        ("exit_after_5", "error", "the program exited (status 0) without answering"),
        ("error_on_3rd", "error", "the program says: RuntimeError: no kernel image"),
]:
    run, cases = validate(mode, SMALL, timeout="3" if mode == "hang_on_3rd" else "20")
    broken = [c for c in cases if c["status"] != "pass"]
    expect(mode, run.returncode == 1 and len(cases) == 12 and broken
           and all(c["status"] == status and said in c["diagnosis"]["detail"] for c in broken)
           and any(c["status"] == "pass" for c in cases[cases.index(broken[0]) + 1:]),
           f"the broken calls' cases {status} with '{said}', later cases pass", run, cases)

# Well-behaved: every case passes.
run, cases = validate("good", LLAMA2)
expect("good", run.returncode == 0 and len(cases) == 12 and all(c["status"] == "pass" for c in cases),
       "every case passes", run, cases)

# History: the same program through --exec (a process per call) passes, through --serve fails.
run, cases = validate("keeps_longest_seq_len", DYNAMIC_NTK, how="--exec", timeout="20")
expect("history through --exec", run.returncode == 0 and all(c["status"] == "pass" for c in cases),
       "passes: no state survives a call", run, cases)
run, cases = validate("keeps_longest_seq_len", DYNAMIC_NTK, timeout="20")
history = [c for c in cases if any(x["name"] == "history" and not x["passed"] for x in c["checks"])]
expect("history through --serve", run.returncode == 1 and history
       and all(c["status"] == "fail" and c["diagnosis"]["code"] == "nondeterministic" for c in history),
       "the history check fails (nondeterministic)", run, cases)

# The examples through --serve: the NumPy one judged as through --exec; the PyTorch one (the
# Hugging Face formulation) graded, never a convention error: its f32 positions and angles, and
# cos/sin in the tensor's dtype, are a precision floor. The --spec case is one where PyTorch's
# one-token decode rounds differently from its prefill (it was once called position_offset).
EXAMPLES = os.path.join(os.path.dirname(HERE), "examples", "python")


def example(name, how, args):
    report = os.path.join(WORK, f"{name}{how}.json")
    run = subprocess.run([ROPEBENCH, "validate", how, f"/usr/bin/python3 {EXAMPLES}/{name}.py",
                          "--quiet", "--json", report] + args,
                         capture_output=True, text=True, timeout=600)
    if not os.path.exists(report):
        sys.exit(f"{name} {how}: no report (exit {run.returncode})\n{run.stdout}\n{run.stderr}")
    with open(report) as f:
        return run, json.load(f)["validation"]["cases"]


if SANITIZED:
    sys.exit("\n".join(failures) if failures else 0)
_, by_exec = example("numpy_rope", "--exec", LLAMA2)
run, by_serve = example("numpy_rope", "--serve", LLAMA2)
expect("numpy_rope --serve", [(c["name"], c["status"]) for c in by_serve]
       == [(c["name"], c["status"]) for c in by_exec] and all(c["status"] == "pass" for c in by_serve),
       "the same verdicts as through --exec, every case passes", run, by_serve)
if subprocess.run(["/usr/bin/python3", "-c", "import torch"], capture_output=True).returncode:
    print("skip torch_rope: no PyTorch (scripts/setup --examples installs python3-torch)")
else:
    for args in (["--preset", "llama2-7b"],
                 ["--spec", "head_dim=72,rotary_dim=18,pairing=interleaved", "--heads", "32,8"]):
        run, cases = example("torch_rope", "--serve", args)
        expect("torch_rope " + args[1][:24], run.returncode in (0, 1) and cases and all(
            c["status"] == "pass" or (c["status"] == "precision"
                                      and c["diagnosis"]["code"] == "low_precision_angle")
            for c in cases), "pass or precision (low_precision_angle), nothing else", run, cases)

if failures:
    sys.exit("\n".join(failures))
