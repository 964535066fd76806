#include "bench/validation/suites.h"

#include <algorithm>
#include <functional>
#include <string>

#include "fmt/format.h"
#include "reference/presets.h"

namespace ropebench {
namespace {

constexpr int64_t kPresetTokens = 64;
constexpr int64_t kEdgeDecodePosition = (int64_t{1} << 20) - 3;

struct HeadCounts {
  int q;
  int kv;
};

std::vector<DType> DTypes(const SuiteFilter& filter) {
  if (!filter.dtypes.empty()) return filter.dtypes;
  return {std::begin(kAllDTypes), std::end(kAllDTypes)};
}

uint32_t SeedOf(const std::string& name) {
  return static_cast<uint32_t>(std::hash<std::string>{}(name));
}

ValidationCase MakeCase(std::string group, std::string name, std::string preset, RopeSpec spec,
                        DType dtype, HeadCounts heads, Layout layout, PositionKind kind,
                        int64_t tokens, int64_t decode_position) {
  ValidationCase c;
  c.suite = "conformance";
  c.group = std::move(group);
  c.name = c.group + "/" + name;
  c.preset = std::move(preset);
  c.spec = std::move(spec);
  c.dtype = dtype;
  c.q_heads = heads.q;
  c.kv_heads = heads.kv;
  c.layout = layout;
  c.position_kind = kind;
  c.seed = SeedOf(c.name);
  c.positions = MakePositions(kind, tokens, decode_position, c.seed);
  return c;
}

// A model's spec and shape: a preset's, or the user's own.
struct ModelCases {
  std::string group;
  std::string name;
  RopeSpec spec;
  HeadCounts heads;
  int64_t decode_position;  // the last position the model serves
};

void AddModelCases(const SuiteFilter& filter, const ModelCases& model,
                   std::vector<ValidationCase>& cases) {
  for (DType dtype : DTypes(filter)) {
    for (PositionKind kind : kAllPositionKinds) {
      for (Layout layout : kAllLayouts) {
        const std::string name = fmt::format("{}/{}/{}/{}", model.name, ToString(dtype),
                                             ToString(kind), ToString(layout));
        cases.push_back(MakeCase(model.group, name, model.group == "preset" ? model.name : "",
                                 model.spec, dtype, model.heads, layout, kind, kPresetTokens,
                                 model.decode_position));
      }
    }
  }
}

void AddPresetCases(const SuiteFilter& filter, std::vector<ValidationCase>& cases) {
  const bool all = filter.presets.empty() && !filter.custom;
  for (const ModelPreset& preset : ModelPresets()) {
    if (all || std::find(filter.presets.begin(), filter.presets.end(), preset.name) !=
                   filter.presets.end()) {
      AddModelCases(filter,
                    {"preset",
                     std::string(preset.name),
                     preset.spec,
                     {preset.q_heads, preset.kv_heads},
                     preset.max_positions - 1},
                    cases);
    }
  }
  if (filter.custom) {
    const RopeSpec& spec = filter.custom->spec;
    const int64_t served = std::max<int64_t>({spec.seq_len, spec.original_max_positions, 4096});
    AddModelCases(
        filter,
        {"custom", "spec", spec, {filter.custom->q_heads, filter.custom->kv_heads}, served - 1},
        cases);
  }
}

void AddEdgeCases(const SuiteFilter& filter, std::vector<ValidationCase>& cases) {
  // Odd and non-power-of-two head sizes are where kernels overrun (BUG_CLASSES.md 15).
  constexpr int kHeadDims[] = {2, 6, 64, 72, 80, 96, 128, 160, 256};
  constexpr int64_t kTokens[] = {1, 7, 64, 513};
  constexpr HeadCounts kHeads[] = {{1, 1}, {8, 8}, {32, 8}};
  int n = 0;  // tokens and heads cycle with the case index so that each meets every other axis
  for (int head_dim : kHeadDims) {
    std::vector<int> rotary_dims;
    for (int rotary_dim : {2, head_dim / 4, head_dim / 2, head_dim}) {
      if (rotary_dim >= 2 && rotary_dim % 2 == 0 &&
          std::find(rotary_dims.begin(), rotary_dims.end(), rotary_dim) == rotary_dims.end()) {
        rotary_dims.push_back(rotary_dim);
      }
    }
    for (int rotary_dim : rotary_dims) {
      for (Pairing pairing : kAllPairings) {
        for (PositionKind kind : kAllPositionKinds) {
          for (Layout layout : kAllLayouts) {
            const int64_t tokens = kTokens[n % 4];
            const HeadCounts heads = kHeads[(n / 4) % 3];
            ++n;
            RopeSpec spec;
            spec.head_dim = head_dim;
            spec.rotary_dim = rotary_dim;
            spec.pairing = pairing;
            for (DType dtype : DTypes(filter)) {
              const std::string name = fmt::format(
                  "d{}/r{}/{}/{}/t{}/h{}x{}/{}/{}", head_dim, rotary_dim, ToString(pairing),
                  ToString(dtype), tokens, heads.q, heads.kv, ToString(kind), ToString(layout));
              cases.push_back(MakeCase("edge", name, "", spec, dtype, heads, layout, kind, tokens,
                                       kEdgeDecodePosition));
            }
          }
        }
      }
    }
  }
}

// The spec variants of the scaling sweep: parameters no preset happens to use.
std::vector<std::pair<std::string, RopeSpec>> ScalingVariants() {
  std::vector<std::pair<std::string, RopeSpec>> variants;
  auto add = [&](std::string name, Scaling scaling, double base, double factor, int64_t original,
                 auto&& adjust) {
    RopeSpec spec;
    spec.head_dim = spec.rotary_dim = 128;
    spec.pairing = variants.size() % 2 ? Pairing::kInterleaved : Pairing::kHalfSplit;
    spec.scaling = scaling;
    spec.base = base;
    spec.factor = factor;
    spec.original_max_positions = original;
    adjust(spec);
    variants.emplace_back(
        fmt::format("{}/base{:g}/f{:g}/orig{}/{}", ToString(scaling), base, factor, original, name),
        spec);
  };
  auto keep = [](RopeSpec&) {};
  constexpr double kBases[] = {1e4, 1e5, 1e6, 1e7};
  for (double base : kBases) {
    for (double factor : {2.0, 4.0, 8.0, 16.0, 32.0, 64.0}) {
      add("plain", Scaling::kLinear, base, factor, 2048, keep);
    }
    for (double factor : {2.0, 8.0, 64.0}) add("plain", Scaling::kNtk, base, factor, 0, keep);
    for (double factor : {2.0, 8.0}) {
      for (int64_t original : {2048, 8192, 131072}) {
        // Just below, at, just above and far above the original length (BUG_CLASSES.md 10).
        for (int64_t seq_len : {original - 1, original, original + 1, 4 * original}) {
          add(fmt::format("seq{}", seq_len), Scaling::kDynamicNtk, base, factor, original,
              [&](RopeSpec& s) { s.seq_len = seq_len; });
        }
      }
    }
  }
  struct MscaleForm {
    const char* name;
    double mscale, mscale_all_dim;
    std::optional<double> attention_factor;
  };
  constexpr MscaleForm kMscaleForms[] = {{"mscale_default", 0, 0, std::nullopt},
                                         {"mscale_v2lite", 0.707, 0.707, std::nullopt},
                                         {"mscale_v3", 1.0, 0.707, std::nullopt},
                                         {"attention_1.5", 0, 0, 1.5}};
  for (double base : {1e4, 1e6}) {
    for (double factor : {4.0, 16.0, 40.0}) {
      for (int64_t original : {2048, 4096, 131072}) {
        for (bool truncate : {true, false}) {
          for (const MscaleForm& form : kMscaleForms) {
            add(fmt::format("{}/{}", truncate ? "truncate" : "no_truncate", form.name),
                Scaling::kYarn, base, factor, original, [&](RopeSpec& s) {
                  s.truncate = truncate;
                  s.mscale = form.mscale;
                  s.mscale_all_dim = form.mscale_all_dim;
                  s.attention_factor = form.attention_factor;
                });
          }
        }
      }
    }
  }
  for (double base : {5e5, 1e4}) {
    for (double factor : {8.0, 32.0}) {
      for (int64_t original : {8192, 2048}) {
        for (const std::pair<double, double>& band : {std::pair{1.0, 4.0}, {2.0, 8.0}}) {
          add(fmt::format("band{:g}-{:g}", band.first, band.second), Scaling::kLlama3, base, factor,
              original, [&](RopeSpec& s) {
                s.low_freq_factor = band.first;
                s.high_freq_factor = band.second;
              });
        }
      }
    }
  }
  // LongRoPE switches to the long factors only past the original length (BUG_CLASSES.md 14).
  const RopeSpec phi = FindPreset("phi3.5-mini")->spec;
  for (int64_t seq_len : {4095, 4096, 4097, 65536}) {
    RopeSpec spec = phi;
    spec.seq_len = seq_len;
    variants.emplace_back(fmt::format("longrope/phi3.5/seq{}", seq_len), spec);
  }
  return variants;
}

void AddScalingCases(const SuiteFilter& filter, std::vector<ValidationCase>& cases) {
  constexpr int64_t kTokens = 16;
  for (const auto& [variant, spec] : ScalingVariants()) {
    for (DType dtype : DTypes(filter)) {
      // Random positions up to 2^20 reach well past every original length in the sweep.
      cases.push_back(MakeCase("scaling", fmt::format("{}/{}", variant, ToString(dtype)), "", spec,
                               dtype, {4, 2}, Layout::kContiguous, PositionKind::kRandom, kTokens,
                               0));
    }
  }
}

}  // namespace

std::vector<ValidationCase> ConformanceSuite(const SuiteFilter& filter) {
  std::vector<ValidationCase> cases;
  AddPresetCases(filter, cases);
  if (filter.presets.empty() && !filter.custom) {
    AddEdgeCases(filter, cases);
    AddScalingCases(filter, cases);
  }
  if (!filter.groups.empty()) {
    std::erase_if(cases, [&](const ValidationCase& c) {
      return std::find(filter.groups.begin(), filter.groups.end(), c.group) == filter.groups.end();
    });
  }
  if (filter.stride > 1) {
    // One case of each block of `stride`, one place further on in each block: a plain every-Nth
    // keeps to the same residues of the suite's cycles (no 8th or 64th case is a 513-token edge
    // shape), the diagonal meets them all.
    std::vector<ValidationCase> spread;
    for (size_t block = 0; block * filter.stride < cases.size(); ++block) {
      const size_t n = block * filter.stride + block % filter.stride;
      if (n < cases.size()) spread.push_back(std::move(cases[n]));
    }
    cases = std::move(spread);
  }
  return cases;
}

}  // namespace ropebench
