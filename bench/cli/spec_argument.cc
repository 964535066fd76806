#include "bench/cli/spec_argument.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "nlohmann/json.hpp"
#include "reports/spec_json.h"

namespace ropebench {
namespace {

// "128" -> 128, "1e4" -> 10000.0, "true" -> true, "1:2.5" -> [1, 2.5], anything else a string.
nlohmann::json ScalarValue(const std::string& text) {
  if (text == "true") return true;
  if (text == "false") return false;
  if (text == "null") return nullptr;
  if (text.find(':') != std::string::npos) {
    nlohmann::json list = nlohmann::json::array();
    std::stringstream items(text);
    for (std::string item; std::getline(items, item, ':');) list.push_back(ScalarValue(item));
    return list;
  }
  char* end = nullptr;
  const long long integer = std::strtoll(text.c_str(), &end, 10);
  if (!text.empty() && *end == '\0') return integer;
  const double number = std::strtod(text.c_str(), &end);
  if (!text.empty() && *end == '\0') return number;
  return text;
}

}  // namespace

std::string ParseSpecArgument(std::string_view text, RopeSpec& spec) {
  nlohmann::json json;
  if (!text.empty() && text.front() == '@') {
    const std::string path(text.substr(1));
    std::ifstream file(path);
    if (!file) return "cannot read spec file '" + path + "'";
    json = nlohmann::json::parse(file, nullptr, false);
    if (json.is_discarded()) return "spec file '" + path + "' is not valid JSON";
  } else if (!text.empty() && text.front() == '{') {
    json = nlohmann::json::parse(text, nullptr, false);
    if (json.is_discarded()) return "--spec is not valid JSON";
  } else {
    json = nlohmann::json::object();
    std::stringstream pairs{std::string(text)};
    for (std::string pair; std::getline(pairs, pair, ',');) {
      const size_t equals = pair.find('=');
      if (equals == std::string::npos || equals == 0) {
        return "--spec item '" + pair + "' is not key=value";
      }
      json[pair.substr(0, equals)] = ScalarValue(pair.substr(equals + 1));
    }
  }
  return ReadSpecJson(json, spec);
}

}  // namespace ropebench
