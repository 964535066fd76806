// matrix: the RoFormer form. Per position p, the block-diagonal rotation matrix R_p (rotary_dim x
// rotary_dim; 2x2 blocks [cos -sin; sin cos] on the pair indices of the pairing, times the
// attention factor) is built in double and applied to the rotary parts of all Q and K heads of that
// token as one dense matrix product, Y = R_p X. Slow, O(rotary_dim^2) per head, and obviously
// correct: that is its purpose.
#include <algorithm>
#include <cmath>
#include <vector>

#include "impls/core/inv_freq.h"
#include "impls/core/numeric.h"
#include "impls/core/pairwise_candidate.h"
#include "impls/core/per_spec.h"
#include "impls/variants.h"

namespace ropebench {
namespace {

// Y = M X with M (n x n) column-major and X, Y holding one column of n per head: each Y[h][r] sums
// its products in column order.
void MultiplyByColumns(const double* m, const double* x, double* y, int n, int64_t heads) {
  for (int64_t h = 0; h < heads; ++h) {
    double* out = y + h * n;
    std::fill(out, out + n, 0.0);
    for (int c = 0; c < n; ++c) {
      const double xc = x[h * n + c];
      for (int r = 0; r < n; ++r) out[r] += m[c * n + r] * xc;
    }
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
    const RopeFrequencies& freq = freq_.Get(spec, ComputeRopeFrequencies);
    const int n = spec.rotary_dim;
    const int64_t heads = q.heads + (k != nullptr ? k->heads : 0);
    std::vector<double> matrix_by_column(n * n), x(heads * n), y(heads * n);
    for (int64_t t = 0; t < q.tokens; ++t) {
      BuildRotation(spec, freq, positions[t], matrix_by_column);
      int64_t h = 0;
      ForEachHeadAt(t, q, k, [&](const TensorView& view, int64_t head) {
        for (int c = 0; c < n; ++c) x[h * n + c] = LoadAsFloat(view.data, view.dtype, head + c);
        ++h;
      });
      MultiplyByColumns(matrix_by_column.data(), x.data(), y.data(), n, heads);
      h = 0;
      ForEachHeadAt(t, q, k, [&](const TensorView& view, int64_t head) {
        for (int r = 0; r < n; ++r) {
          StoreFromFloat(view.data, view.dtype, head + r, static_cast<float>(y[h * n + r]));
        }
        ++h;
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

  PerSpec<RopeFrequencies> freq_;  // cached per spec, as an engine would
  Capabilities capabilities_ = [] {
    Capabilities c = AllCapabilities("RoFormer block-diagonal rotation matrix, product in double");
    c.arithmetic = Arithmetic::kF64;
    return c;
  }();
};

}  // namespace

std::unique_ptr<Candidate> MakeMatrixCandidate() { return std::make_unique<MatrixCandidate>(); }

}  // namespace ropebench
