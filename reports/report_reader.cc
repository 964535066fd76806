#include "reports/report_reader.h"

#include <fstream>
#include <sstream>

#include "reports/report_json.h"

namespace ropebench {
namespace {

using Json = nlohmann::json;
using Type = Json::value_t;

const char* TypeName(Type type) {
  switch (type) {
    case Type::object:
      return "an object";
    case Type::array:
      return "an array";
    case Type::string:
      return "a string";
    case Type::boolean:
      return "true or false";
    case Type::number_integer:
      return "an integer";
    default:
      return "a number";
  }
}

bool HasType(const Json& value, Type type) {
  switch (type) {
    case Type::number_float:
      // Numbers may also be "inf"/"nan" strings (JSON has no infinity).
      return value.is_number() || value.is_string();
    case Type::number_integer:
      return value.is_number_integer();
    default:
      return value.type() == type;
  }
}

struct Field {
  const char* name;
  Type type;
};

// "" or "where: missing field 'name'" / "where: field 'name' must be an integer".
std::string Require(const Json& object, const std::string& where,
                    std::initializer_list<Field> fields) {
  if (!object.is_object()) return where + ": must be an object";
  for (const Field& f : fields) {
    if (!object.contains(f.name)) return where + ": missing field '" + f.name + "'";
    if (!HasType(object.at(f.name), f.type)) {
      return where + ": field '" + f.name + "' must be " + TypeName(f.type);
    }
  }
  return "";
}

std::string EachElement(const Json& array, const std::string& where,
                        std::initializer_list<Field> fields) {
  for (size_t i = 0; i < array.size(); ++i) {
    if (auto error = Require(array[i], where + "[" + std::to_string(i) + "]", fields);
        !error.empty()) {
      return error;
    }
  }
  return "";
}

}  // namespace

std::string CheckReport(const Json& r) {
  if (!r.is_object()) return "a report must be a JSON object";
  if (!r.contains("schema_version"))
    return "missing field 'schema_version': not a ropebench report?";
  if (!r["schema_version"].is_number_integer()) return "field 'schema_version' must be an integer";
  const int64_t version = r["schema_version"].get<int64_t>();
  if (version > kReportSchemaVersion) {
    return "schema_version " + std::to_string(version) + " is newer than this ropebench reads (" +
           std::to_string(kReportSchemaVersion) + "): update ropebench";
  }
  if (version < 1) return "schema_version " + std::to_string(version) + " is not a valid version";
  constexpr Type kObject = Type::object, kArray = Type::array, kString = Type::string,
                 kInt = Type::number_integer, kNumber = Type::number_float, kBool = Type::boolean;
  for (const std::string& error : {
           Require(r, "report",
                   {{"tool", kObject},
                    {"machine", kObject},
                    {"run", kObject},
                    {"validation", kObject},
                    {"extrapolation", kArray},
                    {"bandwidth", kArray},
                    {"benchmarks", kArray}}),
       }) {
    if (!error.empty()) return error;
  }
  const std::string checks[] = {
      Require(r["tool"], "tool", {{"version", kString}, {"git_commit", kString}}),
      Require(r["run"], "run", {{"start_time", kString}, {"duration_s", kNumber}}),
      Require(r["validation"], "validation", {{"summary", kObject}, {"cases", kArray}}),
  };
  for (const std::string& error : checks) {
    if (!error.empty()) return error;
  }
  const std::string elements[] = {
      EachElement(r["validation"]["cases"], "validation.cases",
                  {{"candidate", kString}, {"name", kString}, {"status", kString}}),
      EachElement(r["extrapolation"], "extrapolation",
                  {{"candidate", kString},
                   {"dtype", kString},
                   {"status", kString},
                   {"accurate_up_to", kInt},
                   {"accurate_everywhere", kBool},
                   {"horizon", kInt}}),
      EachElement(
          r["bandwidth"], "bandwidth",
          {{"kind", kString}, {"threads", kInt}, {"bytes", kInt}, {"bytes_per_second", kNumber}}),
      EachElement(r["benchmarks"], "benchmarks",
                  {{"name", kString},
                   {"candidate", kString},
                   {"preset", kString},
                   {"dtype", kString},
                   {"tokens", kInt},
                   {"threads", kInt},
                   {"status", kString}}),
  };
  for (const std::string& error : elements) {
    if (!error.empty()) return error;
  }
  // Fields read with a default when absent must still have their type when present.
  for (size_t i = 0; i < r["extrapolation"].size(); ++i) {
    const Json& s = r["extrapolation"][i];
    if (s.contains("preset") && !s["preset"].is_string()) {
      return "extrapolation[" + std::to_string(i) + "]: field 'preset' must be a string";
    }
  }
  for (size_t i = 0; i < r["benchmarks"].size(); ++i) {
    const Json& b = r["benchmarks"][i];
    if (b["status"] == "ok") {
      if (auto error = Require(b, "benchmarks[" + std::to_string(i) + "]",
                               {{"repetition_ns", kArray},
                                {"median_ns", kNumber},
                                {"bytes_per_second", kNumber},
                                {"tokens_per_second", kNumber},
                                {"roofline", kNumber}});
          !error.empty()) {
        return error;
      }
      for (const Json& t : b["repetition_ns"]) {
        if (!t.is_number()) {
          return "benchmarks[" + std::to_string(i) + "]: repetition_ns must hold numbers";
        }
      }
    }
  }
  return "";
}

std::string ReadReport(const std::filesystem::path& path, Json& report) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return path.string() + ": cannot read the file";
  std::stringstream text;
  text << in.rdbuf();
  try {
    report = Json::parse(text.str());
  } catch (const Json::parse_error& e) {
    return path.string() + ": not valid JSON (truncated?) at byte " + std::to_string(e.byte);
  }
  if (auto error = CheckReport(report); !error.empty()) return path.string() + ": " + error;
  return "";
}

std::optional<std::string> InterruptedBy(const Json& report) {
  const Json run = report.value("run", Json::object());
  if (!run.is_object() || run.value("partial", Json()) != true) return std::nullopt;
  const Json by = run.value("interrupted_by", Json());
  return by.is_string() ? by.get<std::string>() : "a signal";
}

}  // namespace ropebench
