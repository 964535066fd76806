#include "reference/presets.h"

#include <vector>

namespace ropebench {
namespace {

RopeSpec Plain(int head_dim, int rotary_dim, Pairing pairing, double base) {
  RopeSpec spec;
  spec.head_dim = head_dim;
  spec.rotary_dim = rotary_dim;
  spec.pairing = pairing;
  spec.base = base;
  return spec;
}

RopeSpec Scaled(RopeSpec spec, Scaling scaling, double factor, int64_t original_max_positions) {
  spec.scaling = scaling;
  spec.factor = factor;
  spec.original_max_positions = original_max_positions;
  return spec;
}

RopeSpec DeepSeekYarn(double mscale, double mscale_all_dim) {
  // qk_rope_head_dim 64; the modeling code permutes to pairs (2i, 2i+1).
  RopeSpec spec = Scaled(Plain(64, 64, Pairing::kInterleaved, 1e4), Scaling::kYarn, 40, 4096);
  spec.beta_fast = 32;
  spec.beta_slow = 1;
  spec.mscale = mscale;
  spec.mscale_all_dim = mscale_all_dim;
  return spec;
}

RopeSpec Phi35LongRope() {
  RopeSpec spec =
      Scaled(Plain(96, 96, Pairing::kHalfSplit, 1e4), Scaling::kLongrope, 131072.0 / 4096.0, 4096);
  spec.long_factor = {
      1.0800000429153442, 1.1100000143051147, 1.1399999856948853, 1.340000033378601,
      1.5899999141693115, 1.600000023841858,  1.6200000047683716, 2.620000123977661,
      3.2300000190734863, 3.2300000190734863, 4.789999961853027,  7.400000095367432,
      7.700000286102295,  9.09000015258789,   12.199999809265137, 17.670000076293945,
      24.46000099182129,  28.57000160217285,  30.420001983642578, 30.840002059936523,
      32.590003967285156, 32.93000411987305,  42.320003509521484, 44.96000289916992,
      50.340003967285156, 50.45000457763672,  57.55000305175781,  57.93000411987305,
      58.21000289916992,  60.1400032043457,   62.61000442504883,  62.62000274658203,
      62.71000289916992,  63.1400032043457,   63.1400032043457,   63.77000427246094,
      63.93000411987305,  63.96000289916992,  63.970001220703125, 64.02999877929688,
      64.06999969482422,  64.08000183105469,  64.12000274658203,  64.41000366210938,
      64.4800033569336,   64.51000213623047,  64.52999877929688,  64.83999633789062};
  spec.short_factor = {1.0,
                       1.0199999809265137,
                       1.0299999713897705,
                       1.0299999713897705,
                       1.0499999523162842,
                       1.0499999523162842,
                       1.0499999523162842,
                       1.0499999523162842,
                       1.0499999523162842,
                       1.0699999332427979,
                       1.0999999046325684,
                       1.1099998950958252,
                       1.1599998474121094,
                       1.1599998474121094,
                       1.1699998378753662,
                       1.2899998426437378,
                       1.339999794960022,
                       1.679999828338623,
                       1.7899998426437378,
                       1.8199998140335083,
                       1.8499997854232788,
                       1.8799997568130493,
                       1.9099997282028198,
                       1.9399996995925903,
                       1.9899996519088745,
                       2.0199997425079346,
                       2.0199997425079346,
                       2.0199997425079346,
                       2.0199997425079346,
                       2.0199997425079346,
                       2.0199997425079346,
                       2.0299997329711914,
                       2.0299997329711914,
                       2.0299997329711914,
                       2.0299997329711914,
                       2.0299997329711914,
                       2.0299997329711914,
                       2.0299997329711914,
                       2.0299997329711914,
                       2.0299997329711914,
                       2.0799996852874756,
                       2.0899996757507324,
                       2.189999580383301,
                       2.2199995517730713,
                       2.5899994373321533,
                       2.729999542236328,
                       2.749999523162842,
                       2.8399994373321533};
  return spec;
}

std::vector<ModelPreset> BuildPresets() {
  constexpr Pairing kHalf = Pairing::kHalfSplit;
  constexpr Pairing kInter = Pairing::kInterleaved;
  RopeSpec llama31 = Scaled(Plain(128, 128, kHalf, 5e5), Scaling::kLlama3, 8, 8192);
  RopeSpec llama32 = Scaled(Plain(64, 64, kHalf, 5e5), Scaling::kLlama3, 32, 8192);
  for (RopeSpec* spec : {&llama31, &llama32}) {
    spec->low_freq_factor = 1;
    spec->high_freq_factor = 4;
  }
  return {
      {"llama2-7b", "meta-llama/Llama-2-7b-hf", 32, 32, 4096, Plain(128, 128, kHalf, 1e4)},
      {"llama3.1-8b", "meta-llama/Llama-3.1-8B", 32, 8, 131072, llama31},
      {"llama3.2-1b", "meta-llama/Llama-3.2-1B", 32, 8, 131072, llama32},
      {"mistral-7b", "mistralai/Mistral-7B-v0.1", 32, 8, 32768, Plain(128, 128, kHalf, 1e4)},
      {"qwen2.5-7b", "Qwen/Qwen2.5-7B", 28, 4, 32768, Plain(128, 128, kHalf, 1e6)},
      {"codellama-7b", "codellama/CodeLlama-7b-hf", 32, 32, 16384, Plain(128, 128, kHalf, 1e6)},
      {"gptj-6b", "EleutherAI/gpt-j-6b", 16, 16, 2048, Plain(256, 64, kInter, 1e4)},
      // rotary_pct 0.25 of head_dim 96.
      {"gptneox-20b", "EleutherAI/gpt-neox-20b", 64, 64, 2048, Plain(96, 24, kHalf, 1e4)},
      {"phi3.5-mini", "microsoft/Phi-3.5-mini-instruct", 32, 32, 131072, Phi35LongRope()},
      {"deepseek-v2-lite", "deepseek-ai/DeepSeek-V2-Lite", 16, 16, 163840,
       DeepSeekYarn(0.707, 0.707)},
      {"deepseek-v3", "deepseek-ai/DeepSeek-V3", 128, 128, 163840, DeepSeekYarn(1.0, 0.707)},
      // Position Interpolation (Chen et al. 2023): a 2k-context Llama stretched to 4k.
      {"llama2k-linear-x2", "Llama 2k context, linear interpolation x2", 32, 32, 4096,
       Scaled(Plain(128, 128, kHalf, 1e4), Scaling::kLinear, 2, 2048)},
      // The NTK-aware snippet: base * alpha^(d/(d-2)) with alpha = 8.
      {"llama2k-ntk-alpha8", "Llama 2k context, NTK-aware alpha 8", 32, 32, 16384,
       Scaled(Plain(128, 128, kHalf, 1e4), Scaling::kNtk, 8, 2048)},
  };
}

}  // namespace

std::span<const ModelPreset> ModelPresets() {
  static const std::vector<ModelPreset> presets = BuildPresets();
  return presets;
}

const ModelPreset* FindPreset(std::string_view name) {
  for (const ModelPreset& preset : ModelPresets()) {
    if (preset.name == name) return &preset;
  }
  return nullptr;
}

}  // namespace ropebench
