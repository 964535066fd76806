#!/usr/bin/python3
"""RoPE in NumPy, judged by ropebench as an external program.

    ropebench validate --exec '/usr/bin/python3 scripts/numpy_rope.py'
    python3 scripts/numpy_rope.py CASES_DIR OUT_DIR      # what ropebench runs, once per call

Reads CASES_DIR/manifest.json (the vectors protocol, README "External programs") and, for every
case, <id>.positions.npy, <id>.q.npy and <id>.k.npy; writes the rotated OUT_DIR/<id>.q.npy and
<id>.k.npy in the input's dtype and shape, and OUT_DIR/<id>.seconds, the time the rotation itself
took (ropebench's benchmarks time that, not Python's start-up). Written from the formulas of
DESIGN.md section 2 alone: it shares no code with ropebench. Angles and rotation in float64, one
rounding to the storage dtype (bf16 round-to-nearest-even by hand: NumPy has no bfloat16).
"""
import json
import math
import pathlib
import sys
import time

import numpy as np


def inverse_frequencies(s):
    d = s["rotary_dim"]
    i = np.arange(d // 2, dtype=np.float64)
    base = s["base"]
    scaling = s["scaling"]
    factor = s["factor"]
    original = s["original_max_positions"]
    if scaling == "ntk":
        base = base * factor ** (d / (d - 2))
    elif scaling == "dynamic_ntk":
        length = max(s["seq_len"], original)
        base = base * (factor * length / original - (factor - 1)) ** (d / (d - 2))
    theta = base ** (-2 * i / d)
    if scaling == "linear":
        theta = theta / factor
    elif scaling == "yarn":
        def correction(rotations):
            return d * math.log(original / (2 * math.pi * rotations)) / (2 * math.log(base))
        low, high = correction(s["beta_fast"]), correction(s["beta_slow"])
        if s["truncate"]:
            low, high = math.floor(low), math.ceil(high)
        low, high = max(low, 0), min(high, d - 1)
        if low == high:
            high += 0.001
        ramp = np.clip((i - low) / (high - low), 0, 1)
        theta = ramp * theta / factor + (1 - ramp) * theta
    elif scaling == "llama3":
        wavelen = 2 * math.pi / theta
        lo = original / s["low_freq_factor"]
        hi = original / s["high_freq_factor"]
        smooth = (original / wavelen - s["low_freq_factor"]) / (
            s["high_freq_factor"] - s["low_freq_factor"])
        blended = (1 - smooth) * theta / factor + smooth * theta
        theta = np.where(wavelen > lo, theta / factor, np.where(wavelen < hi, theta, blended))
    elif scaling == "longrope":
        ext = s["long_factor"] if s["seq_len"] > original else s["short_factor"]
        theta = 1 / (np.asarray(ext, dtype=np.float64) * base ** (2 * i / d))
    return theta


def attention_factor(s):
    if s["attention_factor"] != 0:
        return s["attention_factor"]
    factor = s["factor"]
    if s["scaling"] == "yarn":
        def g(scale, m):
            return 1.0 if scale <= 1 else 0.1 * m * math.log(scale) + 1
        if s["mscale"] != 0 and s["mscale_all_dim"] != 0:
            return g(factor, s["mscale"]) / g(factor, s["mscale_all_dim"])
        return g(factor, 1)
    if s["scaling"] == "longrope":
        if factor <= 1:
            return 1.0
        return math.sqrt(1 + math.log(factor) / math.log(s["original_max_positions"]))
    return 1.0


def widen(stored, dtype):
    if dtype == "bf16":  # raw bits: the upper half of a float32
        return (stored.astype(np.uint32) << 16).view(np.float32).astype(np.float64)
    return stored.astype(np.float64)


def narrow(values, dtype):
    if dtype == "f32":
        return values.astype(np.float32)
    if dtype == "f16":
        return values.astype(np.float16)
    # bf16: to float32 (exact enough: one more rounding far below bf16's), then round to nearest
    # even on the bits; NaN stays a quiet NaN.
    bits = values.astype(np.float32).view(np.uint32).astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)
    nan = np.isnan(values)
    rounded[nan] = ((bits[nan] >> 16) | 0x40).astype(np.uint16)
    return rounded


def rotate(x, pairing, rotary_dim, cos, sin):
    """x: [tokens, heads, head_dim] float64; cos, sin: [tokens, rotary_dim/2]."""
    out = x.copy()
    half = rotary_dim // 2
    if pairing == "interleaved":
        a, b = x[..., 0:rotary_dim:2], x[..., 1:rotary_dim:2]
        first, second = slice(0, rotary_dim, 2), slice(1, rotary_dim, 2)
    else:
        a, b = x[..., :half], x[..., half:rotary_dim]
        first, second = slice(0, half), slice(half, rotary_dim)
    c, s = cos[:, None, :], sin[:, None, :]
    out[..., first] = a * c - b * s
    out[..., second] = a * s + b * c
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: numpy_rope.py CASES_DIR OUT_DIR")
    cases_dir, out_dir = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    manifest = json.loads((cases_dir / "manifest.json").read_text())
    if manifest.get("format") != "ropebench-vectors" or manifest.get("version") != 1:
        sys.exit(f"{cases_dir}/manifest.json: not a version 1 ropebench vectors manifest")
    out_dir.mkdir(parents=True, exist_ok=True)
    for case in manifest["cases"]:
        spec, dtype, case_id = case["spec"], case["dtype"], case["id"]
        positions = np.load(cases_dir / f"{case_id}.positions.npy")
        inputs = {"q": np.load(cases_dir / f"{case_id}.q.npy")}
        if case["k_heads"] > 0:
            inputs["k"] = np.load(cases_dir / f"{case_id}.k.npy")
        start = time.perf_counter()
        theta = inverse_frequencies(spec)
        scale = attention_factor(spec)
        # Positions up to 2^63 are exact in float64 only below 2^53; the product is rounded once.
        angles = positions.astype(np.float64)[:, None] * theta[None, :]
        cos, sin = scale * np.cos(angles), scale * np.sin(angles)
        outputs = {
            name: narrow(rotate(widen(x, dtype), spec["pairing"], spec["rotary_dim"], cos, sin),
                         dtype)
            for name, x in inputs.items()
        }
        # Elements past rotary_dim pass through bit-identical, not through a float64 round trip.
        for name, x in inputs.items():
            outputs[name][..., spec["rotary_dim"]:] = x[..., spec["rotary_dim"]:]
        seconds = time.perf_counter() - start
        for name, y in outputs.items():
            np.save(out_dir / f"{case_id}.{name}.npy", y)
        (out_dir / f"{case_id}.seconds").write_text(f"{seconds:.9g}\n")


if __name__ == "__main__":
    main()
