// matrix: the RoFormer form. Per position p, the block-diagonal rotation matrix R_p (rotary_dim x
// rotary_dim; 2x2 blocks [cos -sin; sin cos] on the pair indices of the pairing, times the
// attention factor) is built in double and applied to the rotary parts of all Q and K heads of that
// token as one dense matrix product, Y = R_p X. Slow, O(rotary_dim^2) per head, and obviously
// correct: that is its purpose.
#include <cmath>
#include <cstring>
#include <vector>

#include "impls/inv_freq.h"
#include "impls/numeric.h"
#include "impls/pairwise_candidate.h"
#include "impls/per_spec.h"
#include "impls/variants.h"

// The AVX2 clone is picked by an ifunc resolver, which runs before ThreadSanitizer's runtime is up
// and which clang instruments all the same: the TSan build (scripts/sanitize) keeps the baseline.
#define ROPEBENCH_AVX2_CLONE __attribute__((target_clones("avx2", "default")))
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#undef ROPEBENCH_AVX2_CLONE
#define ROPEBENCH_AVX2_CLONE
#endif
#endif

namespace ropebench {
namespace {

// Y = M X with M (n x n) column-major and X, Y holding one column of n per head. Every Y[h][r] sums
// its products in column order, whatever the blocking or vector width, so all paths give the same
// bits (and the AVX2 clone the same as the baseline: "avx2" does not enable FMA contraction).
// Blocks of 4 heads x 8 rows keep their 32 sums in registers (GCC vector types: two 4-wide vectors
// per head) while the columns of M stream past.
ROPEBENCH_AVX2_CLONE void MultiplyByColumns(const double* __restrict m, const double* __restrict x,
                                            double* __restrict y, int n, int64_t heads) {
  typedef double Vec __attribute__((vector_size(32)));
  constexpr int kHeads = 4, kRows = 8;
  const int64_t blocked_heads = heads / kHeads * kHeads;
  const int blocked_rows = n / kRows * kRows;
  for (int64_t h0 = 0; h0 < blocked_heads; h0 += kHeads) {
    for (int r0 = 0; r0 < blocked_rows; r0 += kRows) {
      Vec sum[kHeads][2] = {};
      for (int c = 0; c < n; ++c) {
        Vec column[2];
        std::memcpy(column, m + c * n + r0, sizeof column);
        for (int hh = 0; hh < kHeads; ++hh) {
          const double xc = x[(h0 + hh) * n + c];
          sum[hh][0] += column[0] * xc;
          sum[hh][1] += column[1] * xc;
        }
      }
      for (int hh = 0; hh < kHeads; ++hh)
        std::memcpy(y + (h0 + hh) * n + r0, sum[hh], sizeof sum[hh]);
    }
  }
  // The rows and heads the blocks leave over, one sum at a time.
  for (int64_t h = 0; h < heads; ++h) {
    const int first_row = h < blocked_heads ? blocked_rows : 0;
    for (int r = first_row; r < n; ++r) {
      double sum = 0;
      for (int c = 0; c < n; ++c) sum += m[c * n + r] * x[h * n + c];
      y[h * n + r] = sum;
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
