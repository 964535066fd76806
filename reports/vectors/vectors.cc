#include "reports/vectors/vectors.h"

#include <cctype>
#include <cstring>
#include <fstream>

#include "reports/spec_json.h"

namespace ropebench {
namespace {

using Json = nlohmann::json;

const char* NpyDescr(DType dtype) {
  switch (dtype) {
    case DType::kF32:
      return "<f4";
    case DType::kF16:
      return "<f2";
    case DType::kBF16:
      return "<u2";  // NumPy has no bfloat16: the raw bits
  }
  return "";
}

bool IsSafeId(const std::string& id) {
  if (id.empty() || id.front() == '.') return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

std::string ShapeText(const std::vector<int64_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

// Reads one case's fields; "" or the problem (without the case's name, which the caller adds).
std::string ReadCase(const Json& json, VectorCase& c) {
  if (!json.is_object()) return "is not an object";
  auto string_field = [&](const char* key, std::string& out, bool required) -> std::string {
    if (!json.contains(key)) return required ? std::string("has no '") + key + "'" : "";
    if (!json[key].is_string()) return std::string("field '") + key + "' must be a string";
    out = json[key].get<std::string>();
    return "";
  };
  auto int_field = [&](const char* key, int64_t minimum, int64_t maximum,
                       int64_t& out) -> std::string {
    if (!json.contains(key)) return std::string("has no '") + key + "'";
    const Json& v = json[key];
    if (!v.is_number_integer() || (v.is_number_unsigned() && v.get<uint64_t>() > INT64_MAX) ||
        v.get<int64_t>() < minimum || v.get<int64_t>() > maximum) {
      return std::string("field '") + key + "' must be an integer in [" + std::to_string(minimum) +
             ", " + std::to_string(maximum) + "]";
    }
    out = v.get<int64_t>();
    return "";
  };
  std::string dtype;
  int64_t q_heads = 0, k_heads = 0;
  for (std::string error : {
           string_field("id", c.id, true),
           string_field("dtype", dtype, true),
           int_field("tokens", 1, int64_t{1} << 24, c.tokens),
           int_field("q_heads", 1, 4096, q_heads),
           int_field("k_heads", 0, 4096, k_heads),
           string_field("suite", c.suite, false),
           string_field("group", c.group, false),
           string_field("name", c.name, false),
           string_field("preset", c.preset, false),
           string_field("positions_kind", c.positions_kind, false),
       }) {
    if (!error.empty()) return error;
  }
  if (!IsSafeId(c.id)) return "id '" + c.id + "' is not a plain file-name stem ([A-Za-z0-9._-])";
  const auto parsed = ParseDType(dtype);
  if (!parsed) return "dtype '" + dtype + "' is not f32, f16 or bf16";
  c.dtype = *parsed;
  c.q_heads = static_cast<int>(q_heads);
  c.k_heads = static_cast<int>(k_heads);
  if (!json.contains("spec")) return "has no 'spec'";
  if (std::string error = ReadAbiSpecJson(json["spec"], c.spec); !error.empty()) return error;
  if (c.name.empty()) c.name = c.id;
  return "";
}

}  // namespace

std::string VectorCaseId(std::string_view name) {
  std::string id(name);
  for (char& c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') c = '.';
  }
  if (id.empty() || id.front() == '.') id = "case" + id;
  return id;
}

Json AbiSpecJson(const RopeSpec& s) {
  // Every field, with the ABI's spellings of unset.
  Json j = SpecJson(s, /*every_field=*/true);
  j["truncate"] = s.truncate ? 1 : 0;
  j["attention_factor"] = s.attention_factor.value_or(0.0);
  for (const char* key : {"short_factor", "long_factor"}) {
    if (j[key].empty()) j[key] = nullptr;
  }
  return j;
}

std::string ReadAbiSpecJson(const Json& json, RopeSpec& spec) {
  if (!json.is_object()) return "'spec' must be a JSON object";
  // The ABI's spellings of "unset" become the spec reader's.
  Json translated = json;
  if (json.contains("truncate")) {
    const Json& t = json["truncate"];
    if (!t.is_number_integer() || (t.get<int64_t>() != 0 && t.get<int64_t>() != 1)) {
      return "spec field 'truncate': must be 0 or 1";
    }
    translated["truncate"] = t.get<int64_t>() == 1;
  }
  if (json.contains("attention_factor") && json["attention_factor"].is_number() &&
      json["attention_factor"].get<double>() == 0) {
    translated["attention_factor"] = nullptr;
  }
  for (const char* key : {"short_factor", "long_factor"}) {
    if (json.contains(key) && json[key].is_null()) translated[key] = Json::array();
  }
  return ReadSpecJson(translated, spec);
}

Json ManifestJson(const std::vector<VectorCase>& cases, bool with_expected) {
  Json list = Json::array();
  for (const VectorCase& c : cases) {
    Json files = {{"positions", c.File("positions")}, {"q", c.File("q")}};
    if (c.k_heads > 0) files["k"] = c.File("k");
    if (with_expected) {
      files["q_expected"] = c.File("q.expected");
      if (c.k_heads > 0) files["k_expected"] = c.File("k.expected");
    }
    list.push_back({{"id", c.id},
                    {"spec", AbiSpecJson(c.spec)},
                    {"dtype", ToString(c.dtype)},
                    {"tokens", c.tokens},
                    {"q_heads", c.q_heads},
                    {"k_heads", c.k_heads},
                    {"files", files},
                    {"suite", c.suite},
                    {"group", c.group},
                    {"name", c.name},
                    {"preset", c.preset},
                    {"positions_kind", c.positions_kind}});
  }
  return {{"format", "ropebench-vectors"}, {"version", kVectorsVersion}, {"cases", list}};
}

std::string ReadManifest(const std::string& dir, std::vector<VectorCase>& cases) {
  const std::string path = dir + "/manifest.json";
  std::ifstream file(path);
  if (!file) return path + ": cannot open: " + std::strerror(errno);
  Json manifest;
  try {
    manifest = Json::parse(file);
  } catch (const Json::exception& e) {
    return path + ": not valid JSON: " + e.what();
  }
  if (!manifest.is_object() || manifest.value("format", Json()) != "ropebench-vectors") {
    return path + ": not a ropebench vectors manifest (\"format\" must be \"ropebench-vectors\")";
  }
  if (manifest.value("version", Json()) != kVectorsVersion) {
    return path + ": version " + manifest.value("version", Json()).dump() +
           " is not supported (this ropebench reads version " + std::to_string(kVectorsVersion) +
           ")";
  }
  if (!manifest.contains("cases") || !manifest["cases"].is_array()) {
    return path + ": \"cases\" must be an array";
  }
  std::vector<VectorCase> read;
  for (size_t i = 0; i < manifest["cases"].size(); ++i) {
    VectorCase c;
    if (std::string error = ReadCase(manifest["cases"][i], c); !error.empty()) {
      const std::string which = c.id.empty() ? "" : " ('" + c.id + "')";
      return path + ": case " + std::to_string(i) + which + ": " + error;
    }
    for (const VectorCase& earlier : read) {
      if (earlier.id == c.id)
        return path + ": case " + std::to_string(i) + ": id '" + c.id + "' appears twice";
    }
    read.push_back(std::move(c));
  }
  cases = std::move(read);
  return "";
}

NpyArray TensorNpy(const TensorView& view) {
  const int bytes = BytesPerElement(view.dtype);
  NpyArray array{NpyDescr(view.dtype), {view.tokens, view.heads, view.head_dim}, {}};
  array.data.resize(static_cast<size_t>(array.items()) * bytes);
  unsigned char* out = array.data.data();
  for (int64_t t = 0; t < view.tokens; ++t) {
    for (int64_t h = 0; h < view.heads; ++h) {
      const size_t row = static_cast<size_t>(view.head_dim) * bytes;
      std::memcpy(out, static_cast<const char*>(view.data) + view.Offset(t, h, 0) * bytes, row);
      out += row;
    }
  }
  return array;
}

NpyArray DenseNpy(const DenseTensor& tensor) {
  NpyArray array{"<f8", {tensor.tokens, tensor.heads, tensor.head_dim}, {}};
  array.data.resize(tensor.values.size() * sizeof(double));
  std::memcpy(array.data.data(), tensor.values.data(), array.data.size());
  return array;
}

NpyArray PositionsNpy(std::span<const int64_t> positions) {
  NpyArray array{"<i8", {static_cast<int64_t>(positions.size())}, {}};
  array.data.resize(positions.size_bytes());
  std::memcpy(array.data.data(), positions.data(), array.data.size());
  return array;
}

std::string CopyNpyIntoView(const NpyArray& array, const std::string& path,
                            const TensorView& view) {
  const std::vector<int64_t> shape = {view.tokens, view.heads, view.head_dim};
  if (array.descr != NpyDescr(view.dtype)) {
    return path + ": dtype " + array.descr + ", expected " + NpyDescr(view.dtype) + " (" +
           std::string(ToString(view.dtype)) + ")";
  }
  if (array.shape != shape) {
    return path + ": shape " + ShapeText(array.shape) + ", expected " + ShapeText(shape);
  }
  const int bytes = BytesPerElement(view.dtype);
  const unsigned char* in = array.data.data();
  for (int64_t t = 0; t < view.tokens; ++t) {
    for (int64_t h = 0; h < view.heads; ++h) {
      const size_t row = static_cast<size_t>(view.head_dim) * bytes;
      std::memcpy(static_cast<char*>(view.data) + view.Offset(t, h, 0) * bytes, in, row);
      in += row;
    }
  }
  return "";
}

std::string ReadPositionsNpy(const NpyArray& array, const std::string& path, int64_t tokens,
                             std::vector<int64_t>& positions) {
  if (array.descr != "<i8") return path + ": dtype " + array.descr + ", expected <i8 (int64)";
  if (array.shape != std::vector<int64_t>{tokens}) {
    return path + ": shape " + ShapeText(array.shape) + ", expected [" + std::to_string(tokens) +
           "]";
  }
  positions.resize(static_cast<size_t>(tokens));
  std::memcpy(positions.data(), array.data.data(), array.data.size());
  for (int64_t p : positions) {
    if (p < 0) return path + ": position " + std::to_string(p) + " is negative";
  }
  return "";
}

}  // namespace ropebench
