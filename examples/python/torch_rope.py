#!/usr/bin/python3
"""RoPE as Hugging Face Transformers computes it, in PyTorch, judged by ropebench.

    ropebench validate --serve '/usr/bin/python3 examples/python/torch_rope.py'

The formulation of transformers' LlamaRotaryEmbedding and modeling_rope_utils, not ropebench's:
float32 inverse frequencies (`base ** (arange(0, dim, 2) / dim)` in float32), float32 positions
and angles (`inv_freq @ position_ids`), cos and sin scaled by the attention factor and cast to the
tensor's dtype, then `q * cos + rotate_half(q) * sin` in that dtype (GPT-J's rotate_every_two for
interleaved pairs). Partial rotary as GPT-NeoX and Phi do it: the first rotary_dim elements
rotated, the rest concatenated back. PyTorch from Debian's python3-torch (scripts/setup
--examples).
"""
import math
import pathlib
import sys

import numpy as np
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import ropebench_exec  # noqa: E402

_TORCH_DTYPE = {"f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16}


def default_inv_freq(base, dim):
    return 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))


def get_mscale(scale, mscale=1.0):
    return 1.0 if scale <= 1 else 0.1 * mscale * math.log(scale) + 1.0


def yarn_inv_freq(s, dim):
    base, factor, original = s["base"], s["factor"], s["original_max_positions"]

    def correction_dim(rotations):
        return (dim * math.log(original / (rotations * 2 * math.pi))) / (2 * math.log(base))

    low, high = correction_dim(s["beta_fast"]), correction_dim(s["beta_slow"])
    if s["truncate"]:
        low, high = math.floor(low), math.ceil(high)
    low, high = max(low, 0), min(high, dim - 1)
    if low == high:
        high += 0.001
    ramp = torch.clamp((torch.arange(dim // 2, dtype=torch.float32) - low) / (high - low), 0, 1)
    pos_freqs = base ** (torch.arange(0, dim, 2).float() / dim)
    extrapolation, interpolation = 1.0 / pos_freqs, 1.0 / (factor * pos_freqs)
    extrapolation_factor = 1 - ramp
    return interpolation * (1 - extrapolation_factor) + extrapolation * extrapolation_factor


def llama3_inv_freq(s, dim):
    inv_freq = default_inv_freq(s["base"], dim)
    factor, original = s["factor"], s["original_max_positions"]
    low, high = s["low_freq_factor"], s["high_freq_factor"]
    low_freq_wavelen, high_freq_wavelen = original / low, original / high
    wavelen = 2 * math.pi / inv_freq
    scaled = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
    smooth = (original / wavelen - low) / (high - low)
    smoothed = (1 - smooth) * scaled / factor + smooth * scaled
    medium = ~(wavelen < high_freq_wavelen) * ~(wavelen > low_freq_wavelen)
    return torch.where(medium, smoothed, scaled)


def inv_freq_and_attention(s):
    """The inverse frequencies (float32) and the attention factor, per transformers' rope_utils."""
    dim, base, factor, scaling = s["rotary_dim"], s["base"], s["factor"], s["scaling"]
    original = s["original_max_positions"]
    attention = 1.0
    if scaling in ("ntk", "dynamic_ntk") and dim == 2:
        raise ropebench_exec.Unsupported("NTK's base exponent dim/(dim-2) needs rotary_dim > 2")
    if scaling == "none":
        inv_freq = default_inv_freq(base, dim)
    elif scaling == "linear":
        inv_freq = default_inv_freq(base, dim) / factor
    elif scaling == "ntk":  # NTK-aware, fixed: the base rescaled once
        inv_freq = default_inv_freq(base * factor ** (dim / (dim - 2)), dim)
    elif scaling == "dynamic_ntk":
        seq_len = max(s["seq_len"], original)
        base = base * ((factor * seq_len / original) - (factor - 1)) ** (dim / (dim - 2))
        inv_freq = default_inv_freq(base, dim)
    elif scaling == "yarn":
        inv_freq = yarn_inv_freq(s, dim)
        if s["mscale"] and s["mscale_all_dim"]:
            attention = get_mscale(factor, s["mscale"]) / get_mscale(factor, s["mscale_all_dim"])
        else:
            attention = get_mscale(factor)
    elif scaling == "llama3":
        inv_freq = llama3_inv_freq(s, dim)
    elif scaling == "longrope":
        ext = s["long_factor"] if s["seq_len"] > original else s["short_factor"]
        ext = torch.tensor(ext, dtype=torch.float32)
        inv_freq = 1.0 / (ext * base ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
        attention = 1.0 if factor <= 1 else math.sqrt(1 + math.log(factor) / math.log(original))
    else:
        raise ropebench_exec.Unsupported(f"scaling {scaling}")
    if s["attention_factor"]:
        attention = s["attention_factor"]
    return inv_freq, attention


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def rotate_every_two(x):
    x1, x2 = x[..., ::2], x[..., 1::2]
    return torch.stack((-x2, x1), dim=-1).flatten(-2)


def to_torch(array, dtype):
    if dtype == "bf16":
        return torch.from_numpy(array.view(np.int16)).view(torch.bfloat16)
    return torch.from_numpy(array)


def to_numpy(tensor, dtype):
    if dtype == "bf16":
        return tensor.contiguous().view(torch.int16).numpy()
    return tensor.contiguous().numpy()


def apply(spec, positions, q, k):
    dtype = ropebench_exec.dtype_of(q)
    inv_freq, attention = inv_freq_and_attention(spec)
    with torch.no_grad():
        # [tokens, rotary_dim/2] in float32, as inv_freq @ position_ids.float().
        freqs = torch.from_numpy(positions).float()[:, None] * inv_freq[None, :]
        if spec["pairing"] == "half_split":
            emb, rotate = torch.cat((freqs, freqs), dim=-1), rotate_half
        else:
            emb, rotate = torch.repeat_interleave(freqs, 2, dim=-1), rotate_every_two
        cos = (emb.cos() * attention).to(_TORCH_DTYPE[dtype])[:, None, :]
        sin = (emb.sin() * attention).to(_TORCH_DTYPE[dtype])[:, None, :]
        rotary_dim = spec["rotary_dim"]
        outputs = []
        for x in (q, k):
            if x is None:
                outputs.append(None)
                continue
            t = to_torch(x, dtype)
            rot, passed = t[..., :rotary_dim], t[..., rotary_dim:]
            y = torch.cat(((rot * cos) + (rotate(rot) * sin), passed), dim=-1)
            outputs.append(to_numpy(y, dtype))
    return outputs[0], outputs[1]


if __name__ == "__main__":
    ropebench_exec.main(apply, name="torch_rope")
