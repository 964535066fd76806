#include "impls/registry.h"

#include "impls/variants.h"

namespace ropebench {

bool Registry::Add(std::unique_ptr<Candidate> candidate) {
  if (Find(candidate->name()) != nullptr) return false;
  candidates_.push_back(std::move(candidate));
  return true;
}

Candidate* Registry::Find(std::string_view name) const {
  for (const auto& candidate : candidates_) {
    if (candidate->name() == name) return candidate.get();
  }
  return nullptr;
}

std::vector<Candidate*> Registry::All() const {
  std::vector<Candidate*> all;
  for (const auto& candidate : candidates_) all.push_back(candidate.get());
  return all;
}

Registry BuiltinRegistry() {
  using Factory = std::unique_ptr<Candidate> (*)();
  static constexpr Factory kBuiltins[] = {
      MakeScalarCandidate,        MakeOpenMpCandidate,         MakeHighwayCandidate,
      MakeHighwayOpenMpCandidate, MakeAutovecCandidate,        MakeMatrixCandidate,
      MakeFp32AngleCandidate,     MakeGgmlRecurrenceCandidate,
  };
  Registry registry;
  for (Factory make : kBuiltins) registry.Add(make());
  return registry;
}

}  // namespace ropebench
