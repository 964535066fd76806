#include "reports/vectors/npy.h"

#include <cctype>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>

namespace ropebench {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicBytes = 6;

// The header is a Python dict literal: {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }.
// This reads exactly that grammar (quoted keys; a quoted string, True/False or a tuple of integers
// as values) and nothing else.
class HeaderParser {
 public:
  explicit HeaderParser(std::string_view text) : text_(text) {}

  std::string Parse(NpyArray& out, bool& fortran_order) {
    std::map<std::string, bool> seen;
    if (!Eat('{')) return "header is not a dict";
    while (true) {
      SkipSpaces();
      if (Eat('}')) break;
      std::string key;
      if (!QuotedString(key)) return "header key is not a quoted string";
      if (seen[key]) return "header repeats '" + key + "'";
      seen[key] = true;
      SkipSpaces();
      if (!Eat(':')) return "header has no ':' after '" + key + "'";
      SkipSpaces();
      if (key == "descr") {
        if (!QuotedString(out.descr)) return "header 'descr' is not a string";
      } else if (key == "fortran_order") {
        if (Word("True")) {
          fortran_order = true;
        } else if (Word("False")) {
          fortran_order = false;
        } else {
          return "header 'fortran_order' is not True or False";
        }
      } else if (key == "shape") {
        if (std::string error = Shape(out.shape); !error.empty()) return error;
      } else {
        return "header has an unknown key '" + key + "'";
      }
      SkipSpaces();
      if (Eat(',')) continue;
      SkipSpaces();
      if (Eat('}')) break;
      return "header dict is malformed after '" + key + "'";
    }
    for (const char* key : {"descr", "fortran_order", "shape"}) {
      if (!seen[key]) return std::string("header has no '") + key + "'";
    }
    SkipSpaces();
    if (at_ != text_.size()) return "header has text after the dict";
    return "";
  }

 private:
  void SkipSpaces() {
    while (at_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[at_]))) ++at_;
  }
  bool Eat(char c) {
    if (at_ < text_.size() && text_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }
  bool Word(std::string_view word) {
    if (text_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }
  bool QuotedString(std::string& out) {
    if (at_ >= text_.size() || (text_[at_] != '\'' && text_[at_] != '"')) return false;
    const char quote = text_[at_++];
    const size_t end = text_.find(quote, at_);
    if (end == std::string_view::npos) return false;
    out = std::string(text_.substr(at_, end - at_));
    at_ = end + 1;
    return true;
  }
  std::string Shape(std::vector<int64_t>& shape) {
    shape.clear();
    if (!Eat('(')) return "header 'shape' is not a tuple";
    while (true) {
      SkipSpaces();
      if (Eat(')')) return "";
      if (at_ >= text_.size() || !std::isdigit(static_cast<unsigned char>(text_[at_]))) {
        return "header 'shape' holds something that is not a non-negative integer";
      }
      int64_t value = 0;
      while (at_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[at_]))) {
        const int digit = text_[at_++] - '0';
        if (value > (std::numeric_limits<int64_t>::max() - digit) / 10) {
          return "header 'shape' has a dimension too large";
        }
        value = value * 10 + digit;
      }
      shape.push_back(value);
      SkipSpaces();
      if (Eat(',')) continue;
      SkipSpaces();
      if (Eat(')')) return "";
      return "header 'shape' is malformed";
    }
  }

  std::string_view text_;
  size_t at_ = 0;
};

uint32_t LittleEndian(const unsigned char* bytes, int count) {
  uint32_t value = 0;
  for (int i = count - 1; i >= 0; --i) value = value << 8 | bytes[i];
  return value;
}

}  // namespace

int64_t NpyArray::items() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

int NpyItemBytes(const std::string& descr) {
  static const std::map<std::string, int> kSizes = {
      {"<f4", 4}, {"<f2", 2}, {"<u2", 2}, {"<i8", 8}, {"<f8", 8}};
  const auto it = kSizes.find(descr);
  return it == kSizes.end() ? 0 : it->second;
}

std::string ReadNpy(const std::string& path, NpyArray& out) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return path + ": cannot open: " + std::strerror(errno);
  const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(file)),
                                         std::istreambuf_iterator<char>());
  auto fail = [&](const std::string& why) { return path + ": " + why; };
  if (bytes.size() < kMagicBytes + 4 || std::memcmp(bytes.data(), kMagic, kMagicBytes) != 0) {
    return fail("not a .npy file (no \\x93NUMPY magic)");
  }
  const int major = bytes[6];
  if (major < 1 || major > 3)
    return fail("unsupported .npy format version " + std::to_string(major));
  const int length_bytes = major == 1 ? 2 : 4;
  const size_t header_start = 8 + length_bytes;
  if (bytes.size() < header_start) return fail("truncated header");
  const size_t header_length = LittleEndian(&bytes[8], length_bytes);
  if (bytes.size() < header_start + header_length) return fail("truncated header");
  const std::string_view header(reinterpret_cast<const char*>(&bytes[header_start]), header_length);

  NpyArray array;
  bool fortran_order = false;
  if (std::string error = HeaderParser(header).Parse(array, fortran_order); !error.empty()) {
    return fail(error);
  }
  const int item_bytes = NpyItemBytes(array.descr);
  if (item_bytes == 0) {
    return fail("dtype '" + array.descr + "' is not one of <f4, <f2, <u2, <i8, <f8");
  }
  if (fortran_order && array.shape.size() > 1) return fail("Fortran order is not supported");
  int64_t items = 1;
  for (int64_t d : array.shape) {
    if (d != 0 && items > std::numeric_limits<int64_t>::max() / item_bytes / d) {
      return fail("shape is too large");
    }
    items *= d;
  }
  const size_t data_start = header_start + header_length;
  const size_t data_bytes = static_cast<size_t>(items) * item_bytes;
  const size_t present = bytes.size() - data_start;
  if (present < data_bytes) {
    return fail("truncated: the header's shape needs " + std::to_string(data_bytes) +
                " data bytes, the file has " + std::to_string(present));
  }
  if (present > data_bytes) {
    return fail(std::to_string(present - data_bytes) +
                " bytes after the data its header describes");
  }
  array.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(data_start), bytes.end());
  out = std::move(array);
  return "";
}

std::string WriteNpy(const std::string& path, const NpyArray& array) {
  // Python's tuple spelling: (), (5,), (2, 3).
  std::string shape;
  for (size_t i = 0; i < array.shape.size(); ++i) {
    shape += (i > 0 ? ", " : "") + std::to_string(array.shape[i]);
  }
  if (array.shape.size() == 1) shape += ",";
  std::string header =
      "{'descr': '" + array.descr + "', 'fortran_order': False, 'shape': (" + shape + "), }";
  // NumPy pads the header with spaces and a newline so the data starts 64-byte aligned.
  const size_t unpadded = kMagicBytes + 4 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) return path + ": cannot write: " + std::strerror(errno);
  file.write(kMagic, kMagicBytes);
  const unsigned char version_and_length[] = {1, 0,
                                              static_cast<unsigned char>(header.size() & 0xff),
                                              static_cast<unsigned char>(header.size() >> 8)};
  file.write(reinterpret_cast<const char*>(version_and_length), 4);
  file << header;
  file.write(reinterpret_cast<const char*>(array.data.data()),
             static_cast<std::streamsize>(array.data.size()));
  file.close();
  if (!file) return path + ": write failed";
  return "";
}

}  // namespace ropebench
