// For the tests that hold the README to the code's tables: the text of one of its sections.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace ropebench::testing {

// From the heading "## `title`" to the next "## ", or "" when there is none (ROPEBENCH_README is
// the README's path, set by the test's CMakeLists).
inline std::string ReadmeSection(std::string_view title) {
  std::ifstream readme(ROPEBENCH_README);
  std::stringstream text;
  text << readme.rdbuf();
  const std::string all = text.str();
  const size_t begin = all.find("## " + std::string(title));
  if (begin == std::string::npos) return "";
  return all.substr(begin, all.find("\n## ", begin + 1) - begin);
}

}  // namespace ropebench::testing
