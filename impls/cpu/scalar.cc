// scalar: angles p * theta_i formed in double (exact position, double frequencies), cos and sin in
// double then rounded to f32, rotation in f32, storage f32 / f16 / bf16 with round-to-nearest-even.
// openmp: the same, threaded over tokens.
#include "impls/core/inv_freq.h"
#include "impls/core/pairwise_candidate.h"
#include "impls/variants.h"

namespace ropebench {
namespace {

Capabilities ThreadedCapabilities(std::string description) {
  Capabilities capabilities = AllCapabilities(std::move(description));
  capabilities.threaded = true;
  return capabilities;
}

class ScalarCandidate final : public PairwiseCandidate {
 public:
  ScalarCandidate()
      : PairwiseCandidate("scalar", AllCapabilities("portable C++: double angles, f32 rotation")) {}
  // openmp: the same arithmetic with the tokens of large calls split over threads; bitwise the same
  // result for any thread count.
  explicit ScalarCandidate(std::string name)
      : PairwiseCandidate(std::move(name),
                          ThreadedCapabilities("scalar's arithmetic, tokens over OpenMP threads")) {
  }

 protected:
  CosSinFn PrepareCosSin(const RopeSpec& spec) override {
    return [freq = ComputeRopeFrequencies(spec)](int64_t position, float* cos, float* sin) {
      CosSinAt(freq, position, cos, sin);
    };
  }
};

}  // namespace

std::unique_ptr<Candidate> MakeScalarCandidate() { return std::make_unique<ScalarCandidate>(); }
std::unique_ptr<Candidate> MakeOpenMpCandidate() {
  return std::make_unique<ScalarCandidate>("openmp");
}

}  // namespace ropebench
