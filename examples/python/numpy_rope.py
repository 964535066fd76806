#!/usr/bin/python3
"""RoPE in NumPy, judged by ropebench through examples/python/ropebench_exec.py.

    ropebench validate --serve '/usr/bin/python3 examples/python/numpy_rope.py'
    ropebench validate --exec '/usr/bin/python3 examples/python/numpy_rope.py'
    python3 examples/python/numpy_rope.py CASES_DIR OUT_DIR    # after `ropebench vectors export`

Written from the formulas of DESIGN.md section 2 alone: it shares no code with ropebench. Angles
and rotation in float64, one rounding to the storage dtype (bf16 round-to-nearest-even by hand:
NumPy has no bfloat16).
"""
import math
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import ropebench_exec  # noqa: E402


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
    if dtype == "bf16":
        return ropebench_exec.bf16_to_float32(stored).astype(np.float64)
    return stored.astype(np.float64)


def narrow(values, dtype):
    if dtype == "f32":
        return values.astype(np.float32)
    if dtype == "f16":
        return values.astype(np.float16)
    # bf16 through float32: one more rounding far below bf16's.
    return ropebench_exec.float32_to_bf16(values)


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


def apply(spec, positions, q, k):
    dtype = ropebench_exec.dtype_of(q)
    theta = inverse_frequencies(spec)
    scale = attention_factor(spec)
    # Positions up to 2^63 are exact in float64 only below 2^53; the product is rounded once.
    angles = positions.astype(np.float64)[:, None] * theta[None, :]
    cos, sin = scale * np.cos(angles), scale * np.sin(angles)
    rotary_dim = spec["rotary_dim"]
    outputs = []
    for x in (q, k):
        if x is None:
            outputs.append(None)
            continue
        y = narrow(rotate(widen(x, dtype), spec["pairing"], rotary_dim, cos, sin), dtype)
        # Elements past rotary_dim pass through bit-identical, not through a float64 round trip.
        y[..., rotary_dim:] = x[..., rotary_dim:]
        outputs.append(y)
    return outputs[0], outputs[1]


if __name__ == "__main__":
    ropebench_exec.main(apply, name="numpy_rope")
