#include "reports/spec_json.h"

#include <concepts>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace ropebench {
namespace {

using Json = nlohmann::json;

std::string TypeError(const std::string& field, const char* expected) {
  return "spec field '" + field + "': must be " + expected;
}

// Reads one field's value into its member: "" or the error naming the field.
std::string ReadValue(const std::string& key, const Json& value, std::integral auto& member) {
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
}
std::string ReadValue(const std::string& key, const Json& value, bool& member) {
  if (!value.is_boolean()) return TypeError(key, "true or false");
  member = value.get<bool>();
  return "";
}
std::string ReadValue(const std::string& key, const Json& value, double& member) {
  if (!value.is_number()) return TypeError(key, "a number");
  member = value.get<double>();
  return "";
}
std::string ReadValue(const std::string& key, const Json& value, std::optional<double>& member) {
  if (value.is_null()) {
    member.reset();
    return "";
  }
  double number = 0;
  if (auto error = ReadValue(key, value, number); !error.empty()) return error;
  member = number;
  return "";
}
std::string ReadValue(const std::string& key, const Json& value, std::vector<double>& member) {
  if (!value.is_array()) return TypeError(key, "an array of numbers");
  member.clear();
  for (const Json& v : value) {
    if (!v.is_number()) return TypeError(key, "an array of numbers");
    member.push_back(v.get<double>());
  }
  return "";
}
// An enum by its name, parsed by `parse`; the error names every value of `all`.
template <class Enum, size_t N>
std::string ReadName(const std::string& key, const Json& value, Enum& member,
                     std::optional<Enum> (*parse)(std::string_view), const Enum (&all)[N]) {
  if (!value.is_string()) return TypeError(key, "a string");
  const std::string name = value.get<std::string>();
  if (const std::optional<Enum> parsed = parse(name)) {
    member = *parsed;
    return "";
  }
  std::string names;
  for (Enum e : all) names.append(names.empty() ? "" : ", ").append(ToString(e));
  return "spec field '" + key + "': unknown " + key + " '" + name + "' (" + names + ")";
}
std::string ReadValue(const std::string& key, const Json& value, Pairing& member) {
  return ReadName(key, value, member, ParsePairing, kAllPairings);
}
std::string ReadValue(const std::string& key, const Json& value, Scaling& member) {
  return ReadName(key, value, member, ParseScaling, kAllScalings);
}

std::string ReadField(const std::string& key, const Json& value, RopeSpec& s) {
#define ROPEBENCH_READ_FIELD(name) \
  if (key == #name) return ReadValue(key, value, s.name);
  ROPEBENCH_SPEC_FIELDS(ROPEBENCH_READ_FIELD)
#undef ROPEBENCH_READ_FIELD
  return "unknown spec field '" + key + "'";
}

template <class T>
Json JsonValue(const T& value) {
  return value;
}
Json JsonValue(Pairing pairing) { return ToString(pairing); }
Json JsonValue(Scaling scaling) { return ToString(scaling); }
Json JsonValue(const std::optional<double>& value) { return value ? Json(*value) : Json(nullptr); }

// A field that only one method reads is written only for a spec of that method: a report's spec
// shows what mattered to it.
bool Applies(std::string_view field, Scaling scaling) {
  constexpr std::pair<std::string_view, Scaling> kOnlyFor[] = {
      {"beta_fast", Scaling::kYarn},          {"beta_slow", Scaling::kYarn},
      {"truncate", Scaling::kYarn},           {"mscale", Scaling::kYarn},
      {"mscale_all_dim", Scaling::kYarn},     {"low_freq_factor", Scaling::kLlama3},
      {"high_freq_factor", Scaling::kLlama3}, {"short_factor", Scaling::kLongrope},
      {"long_factor", Scaling::kLongrope}};
  for (const auto& [name, method] : kOnlyFor) {
    if (name == field) return method == scaling;
  }
  return true;
}

}  // namespace

nlohmann::json SpecJson(const RopeSpec& s, bool every_field) {
  Json j = Json::object();
#define ROPEBENCH_WRITE_FIELD(name) \
  if (every_field || Applies(#name, s.scaling)) j[#name] = JsonValue(s.name);
  ROPEBENCH_SPEC_FIELDS(ROPEBENCH_WRITE_FIELD)
#undef ROPEBENCH_WRITE_FIELD
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
