"""Write a RoPE in Python and have ropebench judge it: this module speaks ropebench's protocols.

    import ropebench_exec

    def apply(spec, positions, q, k):
        ...                  # rotate; return (q_out, k_out), or None to decline the case
        return q_out, k_out

    ropebench_exec.main(apply, name="my_rope")

and then

    ropebench validate --serve 'python3 my_rope.py'     # one process for the whole run (fast)
    ropebench validate --exec 'python3 my_rope.py'      # a process per call
    python3 my_rope.py CASES_DIR OUT_DIR                # answer a `ropebench vectors export`

`apply` gets, per case: `spec`, a dict with the C ABI's field names (head_dim, rotary_dim, pairing
"interleaved" or "half_split", base, scaling "none", "linear", "ntk", "dynamic_ntk", "yarn",
"llama3" or "longrope", factor, original_max_positions, seq_len, ...; README "External programs");
`positions`, int64 [tokens]; `q` and `k`, [tokens, heads, head_dim] in the storage dtype: float32,
float16, or bf16 as its raw bits in uint16 (bf16_to_float32 and float32_to_bf16 convert); `k` is
None when the case has none. It returns the rotated arrays in the same dtype and shape (anything
numpy.asarray takes; for bf16 uint16 or int16 bits), or None, or raises Unsupported(reason), to
decline. The seconds apply takes are reported, so benchmarks time the rotation, not the files.
Under --serve, anything printed goes to stderr: stdout carries the protocol.

Standard library and NumPy only.
"""
import json
import os
import pathlib
import sys
import time
import traceback

import numpy as np

SERVE_VERSION = 1
VECTORS_VERSION = 1
_STORAGE = {"f32": np.dtype("<f4"), "f16": np.dtype("<f2"), "bf16": np.dtype("<u2")}


class Unsupported(Exception):
    """Raised by apply to decline a case; the message is the reason ropebench reports."""


def dtype_of(array):
    """The storage dtype's name of an input array: "f32", "f16" or "bf16"."""
    for name, dtype in _STORAGE.items():
        if array.dtype == dtype:
            return name
    raise ValueError(f"not a ropebench storage dtype: {array.dtype}")


def bf16_to_float32(bits):
    """bf16 raw bits (uint16) to float32, exactly."""
    return (np.asarray(bits).astype(np.uint32) << 16).view(np.float32)


def float32_to_bf16(values):
    """float32 (or float64, rounded to float32 first) to bf16 bits, round to nearest even; NaN
    stays a quiet NaN."""
    bits = np.asarray(values, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)
    nan = np.isnan(np.asarray(values))
    rounded[nan] = ((bits[nan] >> 16) | 0x40).astype(np.uint16)
    return rounded


def _as_output(value, like, what):
    array = np.asarray(value)
    if like.dtype == _STORAGE["bf16"] and array.dtype == np.int16:
        array = array.view(np.uint16)
    if array.dtype != like.dtype or array.shape != like.shape:
        raise ValueError(f"apply returned {what} as {array.dtype} {list(array.shape)}; the case "
                         f"needs {like.dtype} {list(like.shape)}")
    return np.ascontiguousarray(array)  # .npy files in C order, which ropebench reads


def answer_directory(apply, cases_dir, out_dir):
    """Answers every case of a vectors directory (manifest.json + .npy) into out_dir."""
    cases_dir, out_dir = pathlib.Path(cases_dir), pathlib.Path(out_dir)
    manifest = json.loads((cases_dir / "manifest.json").read_text())
    if manifest.get("format") != "ropebench-vectors" or manifest.get("version") != VECTORS_VERSION:
        raise ValueError(f"{cases_dir}/manifest.json: not a version {VECTORS_VERSION} ropebench "
                         "vectors manifest")
    out_dir.mkdir(parents=True, exist_ok=True)
    for case in manifest["cases"]:
        case_id = case["id"]
        positions = np.load(cases_dir / f"{case_id}.positions.npy")
        q = np.load(cases_dir / f"{case_id}.q.npy")
        k = np.load(cases_dir / f"{case_id}.k.npy") if case["k_heads"] > 0 else None
        start = time.perf_counter()
        try:
            result = apply(case["spec"], positions, q, k)
        except Unsupported as why:
            result, reason = None, str(why)
        else:
            reason = "apply returned None"
        seconds = time.perf_counter() - start
        if result is None:
            (out_dir / f"{case_id}.unsupported").write_text(reason + "\n")
            continue
        q_out, k_out = result
        np.save(out_dir / f"{case_id}.q.npy", _as_output(q_out, q, "q"))
        if k is not None:
            np.save(out_dir / f"{case_id}.k.npy", _as_output(k_out, k, "k"))
        (out_dir / f"{case_id}.seconds").write_text(f"{max(seconds, 1e-9):.9g}\n")


def serve(apply, name):
    """The serve protocol: a handshake line, then one answer line per request line on stdin."""
    protocol = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # prints, even from C code, go to stderr
    sys.stdout = sys.stderr

    def say(message):
        protocol.write(json.dumps(message) + "\n")
        protocol.flush()

    say({"ropebench": "serve", "version": SERVE_VERSION, "name": name})
    for line in sys.stdin:
        try:
            request = json.loads(line)
            answer_directory(apply, request["cases"], request["out"])
        except Exception as error:  # the call fails; the program serves the next one
            traceback.print_exc(file=sys.stderr)
            say({"ok": False, "error": f"{type(error).__name__}: {error}"})
        else:
            say({"ok": True})


def main(apply, name=None, argv=None):
    """Runs `apply` as ropebench asks: `--serve`, or `CASES_DIR OUT_DIR` (once per call); both come
    last on the command line, after any arguments of the program's own."""
    argv = sys.argv[1:] if argv is None else argv
    name = name or pathlib.Path(sys.argv[0]).stem
    if argv[-1:] == ["--serve"]:
        serve(apply, name)
    elif len(argv) >= 2:
        answer_directory(apply, argv[-2], argv[-1])
    else:
        sys.exit(f"usage: {sys.argv[0]} CASES_DIR OUT_DIR   or   {sys.argv[0]} --serve")
