#include "impls/external/abi_spec.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace ropebench {
namespace {

static_assert(static_cast<int>(Pairing::kInterleaved) == ROPEBENCH_INTERLEAVED &&
                  static_cast<int>(Pairing::kHalfSplit) == ROPEBENCH_HALF_SPLIT &&
                  static_cast<int>(Scaling::kYarn) == ROPEBENCH_SCALING_YARN &&
                  static_cast<int>(Scaling::kLongrope) == ROPEBENCH_SCALING_LONGROPE,
              "the ABI's enums follow the spec's order");

void ToAbi(int value, int32_t& out) { out = value; }
void ToAbi(int64_t value, int64_t& out) { out = value; }
void ToAbi(double value, double& out) { out = value; }
void ToAbi(bool value, int32_t& out) { out = value ? 1 : 0; }
void ToAbi(Pairing value, ropebench_pairing& out) {
  out = static_cast<ropebench_pairing>(static_cast<int>(value));
}
void ToAbi(Scaling value, ropebench_scaling& out) {
  out = static_cast<ropebench_scaling>(static_cast<int>(value));
}
void ToAbi(const std::optional<double>& value, double& out) { out = value.value_or(0.0); }
void ToAbi(const std::vector<double>& value, const double*& out) {
  out = value.empty() ? nullptr : value.data();
}

void FromAbi(int32_t value, int& out) { out = value; }
void FromAbi(int64_t value, int64_t& out) { out = value; }
void FromAbi(double value, double& out) { out = value; }
void FromAbi(int32_t value, bool& out) { out = value != 0; }
void FromAbi(ropebench_pairing value, Pairing& out) { out = static_cast<Pairing>(value); }
void FromAbi(ropebench_scaling value, Scaling& out) { out = static_cast<Scaling>(value); }
void FromAbi(double value, std::optional<double>& out) {
  out = value == 0 ? std::nullopt : std::optional<double>(value);
}
void FromAbi(const double*, std::vector<double>&) {}  // given apart: the pointer is the caller's

}  // namespace

ropebench_spec AbiSpec(const RopeSpec& spec) {
  ropebench_spec abi{};
#define ROPEBENCH_TO_ABI(name) ToAbi(spec.name, abi.name);
  ROPEBENCH_SPEC_FIELDS(ROPEBENCH_TO_ABI)
#undef ROPEBENCH_TO_ABI
  return abi;
}

RopeSpec SpecFromAbi(const ropebench_spec& abi, std::span<const double> short_factor,
                     std::span<const double> long_factor) {
  RopeSpec spec;
#define ROPEBENCH_FROM_ABI(name) FromAbi(abi.name, spec.name);
  ROPEBENCH_SPEC_FIELDS(ROPEBENCH_FROM_ABI)
#undef ROPEBENCH_FROM_ABI
  spec.short_factor.assign(short_factor.begin(), short_factor.end());
  spec.long_factor.assign(long_factor.begin(), long_factor.end());
  return spec;
}

}  // namespace ropebench
