#include "reports/spec_json.h"

#include <cstdint>
#include <limits>
#include <type_traits>

namespace ropebench {
namespace {

using Json = nlohmann::json;

std::string TypeError(const std::string& field, const char* expected) {
  return "spec field '" + field + "': must be " + expected;
}

// Reads one field into its member; "" or the error.
std::string ReadField(const std::string& key, const Json& value, RopeSpec& s) {
  auto integer = [&](auto& member) -> std::string {
    using Int = std::remove_reference_t<decltype(member)>;
    if (!value.is_number_integer() ||
        (value.is_number_unsigned() && value.get<uint64_t>() > uint64_t{INT64_MAX})) {
      return TypeError(key, "an integer");
    }
    const int64_t v = value.get<int64_t>();
    if (v < std::numeric_limits<Int>::min() || v > std::numeric_limits<Int>::max()) {
      return TypeError(key, "an integer in range");
    }
    member = static_cast<Int>(v);
    return "";
  };
  auto number = [&](double& member) -> std::string {
    if (!value.is_number()) return TypeError(key, "a number");
    member = value.get<double>();
    return "";
  };
  auto factors = [&](std::vector<double>& member) -> std::string {
    if (!value.is_array()) return TypeError(key, "an array of numbers");
    member.clear();
    for (const Json& v : value) {
      if (!v.is_number()) return TypeError(key, "an array of numbers");
      member.push_back(v.get<double>());
    }
    return "";
  };
  if (key == "head_dim") return integer(s.head_dim);
  if (key == "rotary_dim") return integer(s.rotary_dim);
  if (key == "original_max_positions") return integer(s.original_max_positions);
  if (key == "seq_len") return integer(s.seq_len);
  if (key == "base") return number(s.base);
  if (key == "factor") return number(s.factor);
  if (key == "beta_fast") return number(s.beta_fast);
  if (key == "beta_slow") return number(s.beta_slow);
  if (key == "mscale") return number(s.mscale);
  if (key == "mscale_all_dim") return number(s.mscale_all_dim);
  if (key == "low_freq_factor") return number(s.low_freq_factor);
  if (key == "high_freq_factor") return number(s.high_freq_factor);
  if (key == "short_factor") return factors(s.short_factor);
  if (key == "long_factor") return factors(s.long_factor);
  if (key == "truncate") {
    if (!value.is_boolean()) return TypeError(key, "true or false");
    s.truncate = value.get<bool>();
    return "";
  }
  if (key == "attention_factor") {
    if (value.is_null()) {
      s.attention_factor.reset();
      return "";
    }
    double factor = 0;
    if (auto error = number(factor); !error.empty()) return error;
    s.attention_factor = factor;
    return "";
  }
  if (key == "pairing" || key == "scaling") {
    if (!value.is_string()) return TypeError(key, "a string");
    const std::string name = value.get<std::string>();
    if (key == "pairing") {
      const auto pairing = ParsePairing(name);
      if (!pairing)
        return "spec field 'pairing': unknown pairing '" + name + "' (interleaved, half_split)";
      s.pairing = *pairing;
    } else {
      const auto scaling = ParseScaling(name);
      if (!scaling) {
        return "spec field 'scaling': unknown scaling '" + name +
               "' (none, linear, ntk, dynamic_ntk, yarn, llama3, longrope)";
      }
      s.scaling = *scaling;
    }
    return "";
  }
  return "unknown spec field '" + key + "'";
}

}  // namespace

nlohmann::json SpecJson(const RopeSpec& s) {
  nlohmann::json j = {{"head_dim", s.head_dim},
                      {"rotary_dim", s.rotary_dim},
                      {"pairing", ToString(s.pairing)},
                      {"base", s.base},
                      {"scaling", ToString(s.scaling)},
                      {"factor", s.factor},
                      {"original_max_positions", s.original_max_positions},
                      {"seq_len", s.seq_len}};
  if (s.scaling == Scaling::kYarn) {
    j["beta_fast"] = s.beta_fast;
    j["beta_slow"] = s.beta_slow;
    j["truncate"] = s.truncate;
    j["mscale"] = s.mscale;
    j["mscale_all_dim"] = s.mscale_all_dim;
  }
  if (s.scaling == Scaling::kLlama3) {
    j["low_freq_factor"] = s.low_freq_factor;
    j["high_freq_factor"] = s.high_freq_factor;
  }
  if (s.scaling == Scaling::kLongrope) {
    j["short_factor"] = s.short_factor;
    j["long_factor"] = s.long_factor;
  }
  j["attention_factor"] = s.attention_factor ? nlohmann::json(*s.attention_factor) : nullptr;
  return j;
}

std::string ReadSpecJson(const nlohmann::json& json, RopeSpec& spec) {
  if (!json.is_object()) return "a spec must be a JSON object";
  RopeSpec read = spec;
  const bool rotary_given = json.contains("rotary_dim");
  for (const auto& [key, value] : json.items()) {
    if (auto error = ReadField(key, value, read); !error.empty()) return error;
  }
  if (!rotary_given)
    read.rotary_dim = read.head_dim;  // DESIGN.md §2: rotary_dim defaults to head_dim
  if (auto error = ValidateSpec(read); !error.empty()) return "invalid spec: " + error;
  spec = std::move(read);
  return "";
}

}  // namespace ropebench
