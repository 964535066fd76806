// A third-party RoPE in a shared library, reached through the C ABI of include/ropebench_plugin.h
// and judged like a built-in candidate.
#pragma once

#include <memory>
#include <string>

#include "impls/candidate.h"

namespace ropebench {

// Loads the plugin at `path`. On failure returns null and sets `error` to one line naming the
// file and the problem (cannot be loaded, a missing symbol, another ABI version, no name).
std::unique_ptr<Candidate> LoadPlugin(const std::string& path, std::string& error);

}  // namespace ropebench
