// Small text helpers for what external programs leave behind (logs, reasons, seconds).
#pragma once

#include <string>

namespace ropebench {

// The whole file, or "" when it cannot be read.
std::string ReadTextFile(const std::string& path);

// The last non-empty line of a text, cut to 200 characters, for a one-line error.
std::string LastLine(const std::string& text);

}  // namespace ropebench
