// A RopeSpec as JSON, with the field names of DESIGN.md §2 (Hugging Face's rope_scaling keys), and
// the strict reader users' spec files go through.
#pragma once

#include <string>

#include "nlohmann/json.hpp"
#include "reference/rope_spec.h"

namespace ropebench {

// Every field that matters to the spec's method (a YaRN field only for YaRN, ...); with
// `every_field`, all of them (the vectors manifest's form).
nlohmann::json SpecJson(const RopeSpec& spec, bool every_field = false);

// Reads the fields present in `json` over `spec` (which carries the defaults). Unknown fields,
// wrong types and invalid values are refused. Returns "" or a one-line error naming the field.
std::string ReadSpecJson(const nlohmann::json& json, RopeSpec& spec);

}  // namespace ropebench
