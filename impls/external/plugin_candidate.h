// A third-party RoPE in a shared library, reached through the C ABI of include/ropebench_plugin.h
// and judged like a built-in candidate.
#pragma once

#include <memory>
#include <string>

#include "impls/core/candidate.h"

namespace ropebench {

// Loads the plugin at `path`. On failure returns null and sets `error` to one line naming the
// file and the problem (cannot be loaded, a missing symbol, another ABI version, no name).
std::unique_ptr<Candidate> LoadPlugin(const std::string& path, std::string& error);

// A plugin file that exists but cannot be used (another ABI version, a missing symbol, a library
// that does not load), judged anyway: named after the file, every call is an error carrying
// `why`, so the run completes and its report says what is wrong with the plugin.
std::unique_ptr<Candidate> UnusablePlugin(const std::string& path, const std::string& why);

}  // namespace ropebench
