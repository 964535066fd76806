#!/usr/bin/python3
"""A correct RoPE (the NumPy example) behind the serve protocol, with one way of breaking it:

    misbehaving.py MODE MARK_DIR --serve      (ropebench appends --serve)

A call breaks only in the first process of a run (MARK_DIR/MODE marks that it broke), so that the
program started again after it behaves and the cases after the broken one pass.

MODE: good, crash_at_start, crash_on_10th, hang_on_3rd, garbage_on_3rd, non_utf8_on_3rd,
version_2, handshake_not_a_string, exit_after_5, error_on_3rd, no_handshake, stray_line_on_3rd,
partial_line_on_3rd, crash_on_3rd_beside_a_child (a process it started keeps its stdout open),
keeps_longest_seq_len (dynamic NTK frequencies of the longest seq_len seen so far: the
history-dependent cache of BUG_CLASSES.md 10)."""
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples" / "python"
sys.path.insert(0, str(EXAMPLES))
import numpy_rope  # noqa: E402
import ropebench_exec  # noqa: E402

MODE, MARK = sys.argv[1], pathlib.Path(sys.argv[2]) / sys.argv[1]
longest = {"seq_len": 0}


def apply(spec, positions, q, k):
    if MODE == "keeps_longest_seq_len" and spec["scaling"] == "dynamic_ntk":
        longest["seq_len"] = max(longest["seq_len"], spec["seq_len"])
        spec = dict(spec, seq_len=longest["seq_len"])
    return numpy_rope.apply(spec, positions, q, k)


def main():
    if sys.argv[3:] != ["--serve"]:
        ropebench_exec.main(apply, name=f"serve_{MODE}", argv=sys.argv[3:])
        return
    breaks = not MARK.exists()  # at start, or on the first process's Nth call
    if MODE == "crash_at_start":
        os.kill(os.getpid(), signal.SIGSEGV)
    if MODE == "no_handshake":
        time.sleep(3600)
    protocol = sys.stdout
    version = 2 if MODE == "version_2" else 1
    hello = "serve" if MODE != "handshake_not_a_string" else 1
    protocol.write(json.dumps({"ropebench": hello, "version": version, "name": f"serve_{MODE}"})
                   + "\n")
    protocol.flush()
    for calls, line in enumerate(sys.stdin, start=1):
        if breaks and calls in (3, 6, 10):
            MARK.touch()
        if breaks and MODE == "crash_on_10th" and calls == 10:
            os.kill(os.getpid(), signal.SIGSEGV)
        if breaks and MODE == "crash_on_3rd_beside_a_child" and calls == 3:
            subprocess.Popen(["sleep", "60"])  # inherits stdout: no end of file when this dies
            os.kill(os.getpid(), signal.SIGSEGV)
        if breaks and MODE == "non_utf8_on_3rd" and calls == 3:
            sys.stdout.buffer.write(b"\xff\xfe progress \xe2\x96\n")
            sys.stdout.flush()
            continue
        if breaks and MODE == "hang_on_3rd" and calls == 3:
            time.sleep(3600)
        if breaks and MODE == "exit_after_5" and calls == 6:
            sys.exit(0)
        if breaks and MODE == "garbage_on_3rd" and calls == 3:
            protocol.write("Loading checkpoint shards: 100%\n")
            protocol.flush()
            continue
        if breaks and MODE == "error_on_3rd" and calls == 3:
            print("Traceback: something went wrong in the model", file=sys.stderr)
            protocol.write(json.dumps({"ok": False, "error": "RuntimeError: no kernel image"}) + "\n")
            protocol.flush()
            continue
        request = json.loads(line)
        ropebench_exec.answer_directory(apply, request["cases"], request["out"])
        protocol.write(json.dumps({"ok": True}) + "\n")
        if breaks and MODE == "stray_line_on_3rd" and calls == 3:
            protocol.write(json.dumps({"ok": True}) + "\n")
        if breaks and MODE == "partial_line_on_3rd" and calls == 3:
            protocol.write("50%\r")
        protocol.flush()


if __name__ == "__main__":
    main()
