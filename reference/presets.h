// Real models' published RoPE settings (../shared/PRESETS.md), as data.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "reference/rope_spec.h"

namespace ropebench {

struct ModelPreset {
  std::string_view name;   // what --preset takes
  std::string_view model;  // the published model whose config.json this mirrors
  int q_heads;
  int kv_heads;
  int64_t max_positions;  // the context length the model is served at
  RopeSpec spec;
};

std::span<const ModelPreset> ModelPresets();

// nullptr when no preset has that name.
const ModelPreset* FindPreset(std::string_view name);

}  // namespace ropebench
