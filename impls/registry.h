// One registry of candidates, queried by name (simdjson's habit): the built-in variants, and the
// plugins and external programs of a run added to the same table.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "impls/core/candidate.h"

namespace ropebench {

class Registry {
 public:
  // Refuses (returns false) a second candidate with the same name.
  bool Add(std::unique_ptr<Candidate> candidate);
  Candidate* Find(std::string_view name) const;  // nullptr when absent
  std::vector<Candidate*> All() const;

 private:
  std::vector<std::unique_ptr<Candidate>> candidates_;
};

// Every built-in variant, in the order `ropebench list` shows them.
Registry BuiltinRegistry();

}  // namespace ropebench
