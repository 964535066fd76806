// matrix: the RoFormer form. Per position p, the block-diagonal rotation matrix R_p (rotary_dim x
// rotary_dim; 2x2 blocks [cos -sin; sin cos] on the pair indices of the pairing, times the
// attention factor) is built in double and applied to each head's rotary part as a dense
// matrix-vector product. Slow, O(rotary_dim^2) per head, and obviously correct: that is its
// purpose.
#include <cmath>
#include <vector>

#include "impls/inv_freq.h"
#include "impls/numeric.h"
#include "impls/pairwise_candidate.h"
#include "impls/variants.h"

namespace ropebench {
namespace {

class MatrixCandidate final : public Candidate {
 public:
  std::string_view name() const override { return "matrix"; }
  const Capabilities& capabilities() const override { return capabilities_; }

  CallResult Rotate(const RopeSpec& spec, std::span<const int64_t> positions, const TensorView& q,
                    const TensorView* k) override {
    const std::string reason = UnsupportedReason(capabilities_, spec, q.dtype, AllContiguous(q, k));
    if (!reason.empty()) return {CallStatus::kUnsupported, reason};
    const RopeFrequencies freq = ComputeRopeFrequencies(spec);
    const int n = spec.rotary_dim;
    std::vector<double> matrix(n * n), x(n);
    for (int64_t t = 0; t < q.tokens; ++t) {
      BuildRotation(spec, freq, positions[t], matrix);
      ForEachHeadAt(t, q, k, [&](const TensorView& view, int64_t head) {
        for (int c = 0; c < n; ++c) x[c] = LoadAsFloat(view.data, view.dtype, head + c);
        for (int r = 0; r < n; ++r) {
          double sum = 0;
          for (int c = 0; c < n; ++c) sum += matrix[r * n + c] * x[c];
          StoreFromFloat(view.data, view.dtype, head + r, static_cast<float>(sum));
        }
      });
    }
    return {};
  }

 private:
  static void BuildRotation(const RopeSpec& spec, const RopeFrequencies& freq, int64_t position,
                            std::vector<double>& matrix) {
    const int n = spec.rotary_dim;
    std::fill(matrix.begin(), matrix.end(), 0.0);
    for (int i = 0; i < n / 2; ++i) {
      const int a = spec.pairing == Pairing::kInterleaved ? 2 * i : i;
      const int b = spec.pairing == Pairing::kInterleaved ? 2 * i + 1 : i + n / 2;
      const double angle = static_cast<double>(position) * freq.inv_freq[i];
      const double c = freq.attention_factor * std::cos(angle);
      const double s = freq.attention_factor * std::sin(angle);
      matrix[a * n + a] = c;
      matrix[a * n + b] = -s;
      matrix[b * n + a] = s;
      matrix[b * n + b] = c;
    }
  }

  Capabilities capabilities_ = [] {
    Capabilities c = AllCapabilities("RoFormer block-diagonal rotation matrix, product in double");
    c.arithmetic = Arithmetic::kF64;
    return c;
  }();
};

}  // namespace

std::unique_ptr<Candidate> MakeMatrixCandidate() { return std::make_unique<MatrixCandidate>(); }

}  // namespace ropebench
