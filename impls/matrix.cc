// matrix: the RoFormer form. Per position p, the block-diagonal rotation matrix R_p (rotary_dim x
// rotary_dim; 2x2 blocks [cos -sin; sin cos] on the pair indices of the pairing, times the
// attention factor) is built in double and applied to each head's rotary part as a dense
// matrix-vector product. Slow, O(rotary_dim^2) per head, and obviously correct: that is its
// purpose.
#include <cmath>
#include <optional>
#include <vector>

#include "impls/inv_freq.h"
#include "impls/numeric.h"
#include "impls/pairwise_candidate.h"
#include "impls/variants.h"

namespace ropebench {
namespace {

// y = M x with M column-major. Each y[r] sums its products in column order whatever the vector
// width, so the AVX2 clone gives the same bits as the baseline (no FMA contraction: "avx2" does not
// enable FMA).
__attribute__((target_clones("avx2", "default"))) void MultiplyByColumns(const double* m,
                                                                         const double* x, double* y,
                                                                         int n) {
  for (int r = 0; r < n; ++r) y[r] = 0;
  for (int c = 0; c < n; ++c) {
    for (int r = 0; r < n; ++r) y[r] += m[c * n + r] * x[c];
  }
}

class MatrixCandidate final : public Candidate {
 public:
  std::string_view name() const override { return "matrix"; }
  const Capabilities& capabilities() const override { return capabilities_; }

  CallResult Rotate(const RopeSpec& spec, std::span<const int64_t> positions, const TensorView& q,
                    const TensorView* k) override {
    const std::string reason = UnsupportedReason(capabilities_, spec, q.dtype, AllContiguous(q, k));
    if (!reason.empty()) return {CallStatus::kUnsupported, reason};
    if (!prepared_for_ || *prepared_for_ != spec) {  // cached per spec, as an engine would
      freq_ = ComputeRopeFrequencies(spec);
      prepared_for_ = spec;
    }
    const RopeFrequencies& freq = freq_;
    const int n = spec.rotary_dim;
    std::vector<double> matrix_by_column(n * n), x(n), y(n);
    for (int64_t t = 0; t < q.tokens; ++t) {
      BuildRotation(spec, freq, positions[t], matrix_by_column);
      ForEachHeadAt(t, q, k, [&](const TensorView& view, int64_t head) {
        for (int c = 0; c < n; ++c) x[c] = LoadAsFloat(view.data, view.dtype, head + c);
        MultiplyByColumns(matrix_by_column.data(), x.data(), y.data(), n);
        for (int r = 0; r < n; ++r) {
          StoreFromFloat(view.data, view.dtype, head + r, static_cast<float>(y[r]));
        }
      });
    }
    return {};
  }

 private:
  // R_p stored column-major: element (row, col) at [col * n + row].
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
      matrix[a * n + a] = c;   // (a, a)
      matrix[b * n + a] = -s;  // (a, b)
      matrix[a * n + b] = s;   // (b, a)
      matrix[b * n + b] = c;   // (b, b)
    }
  }

  std::optional<RopeSpec> prepared_for_;
  RopeFrequencies freq_;
  Capabilities capabilities_ = [] {
    Capabilities c = AllCapabilities("RoFormer block-diagonal rotation matrix, product in double");
    c.arithmetic = Arithmetic::kF64;
    return c;
  }();
};

}  // namespace

std::unique_ptr<Candidate> MakeMatrixCandidate() { return std::make_unique<MatrixCandidate>(); }

}  // namespace ropebench
