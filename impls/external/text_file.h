// Small text helpers for what external programs leave behind (logs, reasons, seconds).
#pragma once

#include <string>

namespace ropebench {

// The whole file, or "" when it cannot be read.
std::string ReadTextFile(const std::string& path);

// The last non-empty line of a text, as PrintableText(line, 200), for a one-line error.
std::string LastLine(const std::string& text);

// At most `max_bytes` of `text` (then "..."), cut at a character boundary, with every byte that is
// not part of valid UTF-8 and every control character replaced by '?': what a program printed is
// quoted in JSON reports, which must be valid UTF-8.
std::string PrintableText(const std::string& text, size_t max_bytes);

}  // namespace ropebench
