/* A complete ropebench plugin in C: plain RoPE (no scaling, or linear interpolation) in f32
 * storage, both pairings, partial rotary, strided tensors, GQA. Any other case is declined with
 * ROPEBENCH_UNSUPPORTED, which ropebench reports as skipped.
 *
 *   cc -O2 -shared -fPIC -I include examples/plugin/example_rope.c -o example_rope.so -lm
 *   ropebench validate --plugin ./example_rope.so
 *
 * For pair i (of rotary_dim/2) at position p: theta_i = base^(-2i/rotary_dim) / factor (linear),
 * angle = p * theta_i in double; a' = a cos - b sin, b' = a sin + b cos, with (a, b) the elements
 * (2i, 2i+1) when interleaved and (i, i + rotary_dim/2) when half-split. */
#include <math.h>
#include <stddef.h>

#include "ropebench_plugin.h"

int32_t ropebench_abi_version(void) { return ROPEBENCH_ABI_VERSION; }

const char* ropebench_name(void) { return "example_c"; }

static void rotate(const ropebench_spec* spec, const int64_t* positions, ropebench_tensor* t) {
  const int half = spec->rotary_dim / 2;
  const double scale = spec->scaling == ROPEBENCH_SCALING_LINEAR ? 1.0 / spec->factor : 1.0;
  const double attention = spec->attention_factor != 0 ? spec->attention_factor : 1.0;
  float* data = (float*)t->data;
  for (int64_t token = 0; token < t->tokens; ++token) {
    for (int i = 0; i < half; ++i) {
      const double theta = pow(spec->base, -2.0 * i / spec->rotary_dim) * scale;
      const double angle = (double)positions[token] * theta;
      const float c = (float)(attention * cos(angle));
#ifdef ROPEBENCH_EXAMPLE_INVERTED /* a broken build for the tests: rotates the wrong way */
      const float s = (float)(-attention * sin(angle));
#else
      const float s = (float)(attention * sin(angle));
#endif
      for (int64_t head = 0; head < t->heads; ++head) {
        float* x = data + token * t->token_stride + head * t->head_stride;
        const int first = spec->pairing == ROPEBENCH_INTERLEAVED ? 2 * i : i;
        const int second = spec->pairing == ROPEBENCH_INTERLEAVED ? 2 * i + 1 : i + half;
        const float a = x[first], b = x[second];
        x[first] = a * c - b * s;
        x[second] = a * s + b * c;
      }
    }
  }
}

int32_t ropebench_apply(const ropebench_spec* spec, const int64_t* positions, ropebench_tensor* q,
                        ropebench_tensor* k) {
  if (q->dtype != ROPEBENCH_F32 || (k != NULL && k->dtype != ROPEBENCH_F32)) {
    return ROPEBENCH_UNSUPPORTED;
  }
  if (spec->scaling != ROPEBENCH_SCALING_NONE && spec->scaling != ROPEBENCH_SCALING_LINEAR) {
    return ROPEBENCH_UNSUPPORTED;
  }
  rotate(spec, positions, q);
  if (k != NULL) rotate(spec, positions, k);
  return ROPEBENCH_OK;
}
