// Factories of the built-in variants; the registry lists them in one table.
#pragma once

#include <memory>

#include "impls/core/candidate.h"

namespace ropebench {

std::unique_ptr<Candidate> MakeScalarCandidate();
std::unique_ptr<Candidate> MakeOpenMpCandidate();
std::unique_ptr<Candidate> MakeHighwayCandidate();
std::unique_ptr<Candidate> MakeHighwayOpenMpCandidate();
std::unique_ptr<Candidate> MakeAutovecCandidate();
std::unique_ptr<Candidate> MakeMatrixCandidate();
std::unique_ptr<Candidate> MakeFp32AngleCandidate();
std::unique_ptr<Candidate> MakeGgmlRecurrenceCandidate();

}  // namespace ropebench
