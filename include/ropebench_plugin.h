/* ropebench_plugin.h: the C ABI of a ropebench plugin (version 1), self-contained.
 *
 * A plugin is a shared library exporting the three functions below. ropebench loads it with
 * `--plugin PATH.so` and validates and benchmarks it like a built-in candidate: the spec's fields
 * are always filled, with defaults resolved (DESIGN.md section 2), and Q (and K when not NULL, with
 * possibly fewer heads) are rotated in place. Return ROPEBENCH_OK, or ROPEBENCH_UNSUPPORTED for a
 * case the plugin does not handle (reported as skipped, never as passed); any other value is an
 * error. */
#ifndef ROPEBENCH_PLUGIN_H_
#define ROPEBENCH_PLUGIN_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ROPEBENCH_ABI_VERSION 1
#define ROPEBENCH_OK 0
#define ROPEBENCH_UNSUPPORTED 1 /* this case is not supported: reported as skipped */

typedef enum { ROPEBENCH_F32 = 0, ROPEBENCH_F16 = 1, ROPEBENCH_BF16 = 2 } ropebench_dtype;
typedef enum { ROPEBENCH_INTERLEAVED = 0, ROPEBENCH_HALF_SPLIT = 1 } ropebench_pairing;
typedef enum {
  ROPEBENCH_SCALING_NONE = 0,
  ROPEBENCH_SCALING_LINEAR = 1,
  ROPEBENCH_SCALING_NTK = 2,
  ROPEBENCH_SCALING_DYNAMIC_NTK = 3,
  ROPEBENCH_SCALING_YARN = 4,
  ROPEBENCH_SCALING_LLAMA3 = 5,
  ROPEBENCH_SCALING_LONGROPE = 6
} ropebench_scaling;

typedef struct {
  int32_t head_dim, rotary_dim;
  ropebench_pairing pairing;
  double base;
  ropebench_scaling scaling;
  double factor;
  int64_t original_max_positions;
  double beta_fast, beta_slow;              /* yarn */
  int32_t truncate;                         /* yarn: 1 = floor/ceil the correction range */
  double mscale, mscale_all_dim;            /* yarn; 0 = unset */
  double attention_factor;                  /* 0 = the method's default */
  double low_freq_factor, high_freq_factor; /* llama3 */
  const double* short_factor;               /* longrope: rotary_dim/2 values each, else NULL */
  const double* long_factor;
  int64_t seq_len; /* dynamic_ntk / longrope: length of the sequence this call belongs to */
} ropebench_spec;

typedef struct {
  void* data; /* rotated in place */
  ropebench_dtype dtype;
  int64_t tokens, heads, head_dim;
  int64_t token_stride, head_stride; /* in elements */
} ropebench_tensor;

/* exported by the plugin: */
int32_t ropebench_abi_version(void);
const char* ropebench_name(void);
int32_t ropebench_apply(const ropebench_spec* spec, const int64_t* positions /* [tokens] */,
                        ropebench_tensor* q, ropebench_tensor* k /* may be NULL */);

#ifdef __cplusplus
}
#endif

#endif /* ROPEBENCH_PLUGIN_H_ */
