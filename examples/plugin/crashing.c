/* A plugin that crashes on every call: ropebench must report it and carry on (tests). */
#include <stddef.h>

#include "ropebench_plugin.h"

int32_t ropebench_abi_version(void) { return ROPEBENCH_ABI_VERSION; }
const char* ropebench_name(void) { return "crashing"; }
int32_t ropebench_apply(const ropebench_spec* spec, const int64_t* positions, ropebench_tensor* q,
                        ropebench_tensor* k) {
  (void)spec, (void)positions, (void)k;
  *(volatile float*)NULL = *(float*)q->data;
  return ROPEBENCH_OK;
}
