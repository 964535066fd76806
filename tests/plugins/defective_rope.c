/* A complete RoPE plugin (f32 storage, every scaling method, computed in double from DESIGN.md
 * section 2) into which the tests inject one defect at a time: built once per ROPEBENCH_DEFECT_*
 * macro, each build is one row of BUG_CLASSES.md (or a crash, a hang, a stray write) that
 * ropebench must report with the right status and diagnosis. Built without a defect it passes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ropebench_plugin.h"

int32_t ropebench_abi_version(void) { return ROPEBENCH_ABI_VERSION; }

const char* ropebench_name(void) { return ROPEBENCH_DEFECT_NAME; }

static const double kPi = 3.14159265358979323846;

/* The inverse frequencies of every pair, and the attention factor. */
/* Never inlined, in every build: the slowed build's timing code around the calls must not change
   how the work itself is compiled, or its slowdown would not be the 10 % it claims. */
__attribute__((noinline)) static double frequencies(const ropebench_spec* s, double* theta) {
  const int d = s->rotary_dim;
  double base = s->base;
  const double factor = s->factor;
  const double original = (double)s->original_max_positions;
#ifdef ROPEBENCH_DEFECT_BASE_FALLBACK /* row 8: the spec's base ignored, 10000 assumed */
  base = 10000.0;
#endif
#ifdef ROPEBENCH_DEFECT_FREQUENCIES_OVER_HEAD_DIM /* row 2: exponent over head_dim */
  const int exponent_dim = s->head_dim;
#else
  const int exponent_dim = d;
#endif
  if (s->scaling == ROPEBENCH_SCALING_NTK) base *= pow(factor, (double)d / (d - 2));
  if (s->scaling == ROPEBENCH_SCALING_DYNAMIC_NTK) {
#ifdef ROPEBENCH_DEFECT_DYNAMIC_NTK_NEVER_SCALED_BACK /* row 10: the base only ever grows */
    static int64_t longest = 0;
    if (s->seq_len > longest) longest = s->seq_len;
    const double length = fmax((double)longest, original);
#else
    const double length = fmax((double)s->seq_len, original);
#endif
    base *= pow(factor * length / original - (factor - 1), (double)d / (d - 2));
  }
  for (int i = 0; i < d / 2; ++i) theta[i] = pow(base, -2.0 * i / exponent_dim);
  double attention = 1.0;
  if (s->scaling == ROPEBENCH_SCALING_LINEAR) {
    for (int i = 0; i < d / 2; ++i) theta[i] /= factor;
  } else if (s->scaling == ROPEBENCH_SCALING_YARN) {
    double low = d * log(original / (2 * kPi * s->beta_fast)) / (2 * log(base));
    double high = d * log(original / (2 * kPi * s->beta_slow)) / (2 * log(base));
#ifndef ROPEBENCH_DEFECT_YARN_TRUNCATE_IGNORED /* row 11: the correction range never rounded */
    if (s->truncate) {
      low = floor(low);
      high = ceil(high);
    }
#endif
    low = fmax(low, 0);
    high = fmin(high, d - 1);
    if (low == high) high += 0.001;
    for (int i = 0; i < d / 2; ++i) {
      const double ramp = fmin(fmax((i - low) / (high - low), 0), 1);
      theta[i] = ramp * theta[i] / factor + (1 - ramp) * theta[i];
    }
    if (s->mscale != 0 && s->mscale_all_dim != 0) {
      const double g = factor <= 1 ? 1 : 0.1 * s->mscale * log(factor) + 1;
      const double g_all = factor <= 1 ? 1 : 0.1 * s->mscale_all_dim * log(factor) + 1;
      attention = g / g_all;
    } else {
      attention = factor <= 1 ? 1 : 0.1 * log(factor) + 1;
    }
  } else if (s->scaling == ROPEBENCH_SCALING_LLAMA3) {
#ifdef ROPEBENCH_DEFECT_LLAMA3_FACTOR_HARDCODED /* row 13: Llama-3.1's 8 for every model */
    const double llama_factor = 8;
#else
    const double llama_factor = factor;
#endif
    const double lo = original / s->low_freq_factor, hi = original / s->high_freq_factor;
    for (int i = 0; i < d / 2; ++i) {
      const double wavelen = 2 * kPi / theta[i];
      if (wavelen > lo) {
        theta[i] /= llama_factor;
      } else if (wavelen >= hi) {
        const double smooth =
            (original / wavelen - s->low_freq_factor) / (s->high_freq_factor - s->low_freq_factor);
        theta[i] = (1 - smooth) * theta[i] / llama_factor + smooth * theta[i];
      }
    }
  } else if (s->scaling == ROPEBENCH_SCALING_LONGROPE) {
#ifdef ROPEBENCH_DEFECT_LONGROPE_SWITCH_AT_ORIGINAL /* row 14: >= where the rule says > */
    const int use_long = s->seq_len >= s->original_max_positions;
#else
    const int use_long = s->seq_len > s->original_max_positions;
#endif
    const double* ext = use_long ? s->long_factor : s->short_factor;
    for (int i = 0; i < d / 2; ++i) theta[i] = 1 / (ext[i] * pow(base, 2.0 * i / d));
    attention = factor <= 1 ? 1 : sqrt(1 + log(factor) / log(original));
  }
  if (s->attention_factor != 0) attention = s->attention_factor;
#ifdef ROPEBENCH_DEFECT_ATTENTION_FACTOR_MISSING /* row 12 */
  attention = 1.0;
#endif
  return attention;
}

#ifdef ROPEBENCH_DEFECT_BF16_COS_SIN
static float to_bf16(float x) {
  uint32_t bits;
  memcpy(&bits, &x, 4);
  bits = (bits + 0x7FFFu + ((bits >> 16) & 1u)) & 0xFFFF0000u;
  memcpy(&x, &bits, 4);
  return x;
}
#endif

__attribute__((noinline)) static void rotate(const ropebench_spec* spec, const int64_t* positions,
                                             ropebench_tensor* t, const double* theta,
                                             double attention) {
  const int half = spec->rotary_dim / 2;
  float* data = (float*)t->data;
  int64_t token_stride = t->token_stride, head_stride = t->head_stride;
#ifdef ROPEBENCH_DEFECT_STRIDES_IGNORED /* row 16: every tensor assumed packed */
  token_stride = t->heads * t->head_dim;
  head_stride = t->head_dim;
#endif
  for (int64_t token = 0; token < t->tokens; ++token) {
    int64_t position = positions[token];
#ifdef ROPEBENCH_DEFECT_POSITIONS_AS_INDEX /* row 4: the token's index taken for its position */
    position = token;
#endif
#ifdef ROPEBENCH_DEFECT_DECODE_OFFSET /* row 3: a decode step rotated one position too far */
    if (t->tokens == 1) position += 1;
#endif
    for (int i = 0; i < half; ++i) {
#ifdef ROPEBENCH_DEFECT_FP32_ANGLE /* row 5: the angle p * theta in float */
      const double angle = (double)((float)position * (float)theta[i]);
#elif defined(ROPEBENCH_DEFECT_FLOAT_PI_REDUCTION) /* row 7: range reduction by a float 2 pi */
      const double angle = fmod((double)position * theta[i], (double)(float)(2 * kPi));
#else
      const double angle = (double)position * theta[i];
#endif
      float c = (float)(attention * cos(angle)), s = (float)(attention * sin(angle));
#ifdef ROPEBENCH_DEFECT_BF16_COS_SIN /* row 6: cos and sin kept in bf16 (rounded to nearest) */
      c = to_bf16(c);
      s = to_bf16(s);
#endif
#ifdef ROPEBENCH_DEFECT_COS_SIN_SWAPPED /* row 9 */
      const float swap = c;
      c = s;
      s = swap;
#endif
      for (int64_t head = 0; head < t->heads; ++head) {
        float* x = data + token * token_stride + head * head_stride;
#ifdef ROPEBENCH_DEFECT_PAIRING_SWAPPED /* row 1: the other convention's pairs */
        const int interleaved = spec->pairing != ROPEBENCH_INTERLEAVED;
#else
        const int interleaved = spec->pairing == ROPEBENCH_INTERLEAVED;
#endif
        const int first = interleaved ? 2 * i : i;
        const int second = interleaved ? 2 * i + 1 : i + half;
        const float a = x[first], b = x[second];
        x[first] = a * c - b * s;
        x[second] = a * s + b * c;
      }
    }
#ifdef ROPEBENCH_DEFECT_HEAD_TAIL_OVERRUN /* row 15: one element past every head written */
    for (int64_t head = 0; head < t->heads; ++head) {
      float* x = data + token * token_stride + head * head_stride;
      x[t->head_dim] = 0.0f;
    }
#endif
  }
}

int32_t ropebench_apply(const ropebench_spec* spec, const int64_t* positions, ropebench_tensor* q,
                        ropebench_tensor* k) {
  if (q->dtype != ROPEBENCH_F32 || (k != NULL && k->dtype != ROPEBENCH_F32)) {
    return ROPEBENCH_UNSUPPORTED;
  }
#ifdef ROPEBENCH_DEFECT_CRASH_ON_LONG_CALLS /* a null dereference, only on calls of 64+ tokens */
  if (q->tokens >= 64) *(volatile int*)NULL = 1;
#endif
#ifdef ROPEBENCH_DEFECT_HANG /* never returns */
  for (;;) pause();
#endif
#ifdef ROPEBENCH_DEFECT_ERROR_CODE /* a code the ABI does not define */
  return 7;
#endif
#ifdef ROPEBENCH_DEFECT_SLOWDOWN_10 /* correct, but 10 % slower: the gate must notice */
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
#endif
  double* theta = malloc(sizeof(double) * (size_t)(spec->rotary_dim / 2));
  if (theta == NULL) return 2;
  const double attention = frequencies(spec, theta);
  rotate(spec, positions, q, theta, attention);
  if (k != NULL) rotate(spec, positions, k, theta, attention);
  free(theta);
#ifdef ROPEBENCH_DEFECT_SLOWDOWN_10
  clock_gettime(CLOCK_MONOTONIC, &now);
  const double took =
      (double)(now.tv_sec - start.tv_sec) + 1e-9 * (double)(now.tv_nsec - start.tv_nsec);
  double waited = 0;
  while (waited < 0.1 * took) { /* spin: the time is spent, as a slower kernel's would be */
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    waited = (double)(t.tv_sec - now.tv_sec) + 1e-9 * (double)(t.tv_nsec - now.tv_nsec);
  }
#endif
#ifdef ROPEBENCH_DEFECT_NONDETERMINISTIC /* row 17: a lost update on every second call */
  static int calls = 0;
  if (calls++ % 2 == 1) ((float*)q->data)[0] = nextafterf(((float*)q->data)[0], 10.0f);
#endif
#ifdef ROPEBENCH_DEFECT_OUT_OF_BOUNDS_WRITE /* row 18: one element before Q written */
  ((float*)q->data)[-1] = 0.0f;
#endif
#ifdef ROPEBENCH_DEFECT_WRITES_POSITIONS /* row 18: scribbles on its input positions */
  ((int64_t*)positions)[0] += 1;
#endif
  return ROPEBENCH_OK;
}
