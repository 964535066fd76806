// The ropebench command line: commands, their flags, their help, exit codes (0 pass, 1 a check
// failed, 2 bad usage or invalid input). Flags are parsed here and nowhere else (STYLE.md 8).
#pragma once

#include <string>
#include <vector>

namespace ropebench {

int RunCli(const std::vector<std::string>& args);

}  // namespace ropebench
