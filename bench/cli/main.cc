#include <string>
#include <vector>

#include "bench/cli/cli.h"

int main(int argc, char** argv) {
  return ropebench::RunCli(std::vector<std::string>(argv + 1, argv + argc));
}
