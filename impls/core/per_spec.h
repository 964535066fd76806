// What a candidate prepares once per spec and keeps between calls, as a serving engine does
// (frequencies, a cos/sin table): built again only when the spec changes.
#pragma once

#include <optional>

#include "reference/rope_spec.h"

namespace ropebench {

template <typename T>
class PerSpec {
 public:
  // The value for `spec`, made with make(spec) unless the last call's spec was the same.
  template <typename Make>
  T& Get(const RopeSpec& spec, const Make& make) {
    if (!spec_ || *spec_ != spec) {
      value_.emplace(make(spec));
      spec_ = spec;
    }
    return *value_;
  }

 private:
  std::optional<RopeSpec> spec_;
  std::optional<T> value_;
};

}  // namespace ropebench
