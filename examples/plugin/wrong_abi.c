/* A plugin that speaks another ABI version: ropebench must refuse it with a clear error (tests). */
#include <stddef.h>

#include "ropebench_plugin.h"

int32_t ropebench_abi_version(void) { return ROPEBENCH_ABI_VERSION + 1; }
const char* ropebench_name(void) { return "wrong_abi"; }
int32_t ropebench_apply(const ropebench_spec* spec, const int64_t* positions, ropebench_tensor* q,
                        ropebench_tensor* k) {
  (void)spec, (void)positions, (void)q, (void)k;
  return ROPEBENCH_OK;
}
