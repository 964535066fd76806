// The --spec argument: a spec of the user's own, as JSON ('{"head_dim": 128, ...}'), a JSON file
// ('@spec.json'), or key=value pairs ('head_dim=128,rotary_dim=64,pairing=interleaved'; factor
// lists as 1.0:1.02:...). Field names are DESIGN.md §2's.
#pragma once

#include <string>
#include <string_view>

#include "reference/rope_spec.h"

namespace ropebench {

// "" on success, else a one-line error naming the bad field or file.
std::string ParseSpecArgument(std::string_view text, RopeSpec& spec);

}  // namespace ropebench
