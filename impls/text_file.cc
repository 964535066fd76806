#include "impls/text_file.h"

#include <fstream>
#include <sstream>

namespace ropebench {

std::string ReadTextFile(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

std::string LastLine(const std::string& text) {
  std::string line, last;
  std::istringstream lines(text);
  while (std::getline(lines, line)) {
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  }
  return last.size() > 200 ? last.substr(0, 200) + "..." : last;
}

}  // namespace ropebench
