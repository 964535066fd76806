#include "bench/cli/vectors_commands.h"

#include <filesystem>
#include <set>

#include "bench/validation/case_runner.h"
#include "bench/validation/extrapolation.h"
#include "bench/validation/guarded_tensors.h"
#include "bench/validation/suites.h"
#include "bench/validation/tolerances.h"
#include "fmt/format.h"
#include "reference/rope_reference.h"
#include "reports/report_json.h"
#include "reports/vectors/vectors.h"

namespace ropebench {
namespace {

namespace fs = std::filesystem;

// Every case the plan would run on a candidate: conformance, then one sweep per dtype.
std::vector<ValidationCase> PlannedCases(const ValidationPlan& plan) {
  std::vector<ValidationCase> cases =
      plan.conformance ? ConformanceSuite(plan.filter) : std::vector<ValidationCase>{};
  if (plan.extrapolation) {
    std::vector<DType> dtypes = plan.filter.dtypes;
    if (dtypes.empty()) dtypes.assign(std::begin(kAllDTypes), std::end(kAllDTypes));
    for (DType dtype : dtypes)
      cases.push_back(ExtrapolationCase(dtype, plan.extrapolation_options));
  }
  return cases;
}

PositionKind ParsePositionKind(const std::string& name) {
  for (PositionKind kind : kAllPositionKinds) {
    if (ToString(kind) == name) return kind;
  }
  return PositionKind::kSequential;
}

ValidationCase FromVectorCase(const VectorCase& v, std::vector<int64_t> positions) {
  ValidationCase c;
  c.suite = v.suite.empty() ? "vectors" : v.suite;
  c.group = v.group;
  c.name = v.name;
  c.preset = v.preset;
  c.spec = v.spec;
  c.dtype = v.dtype;
  c.q_heads = v.q_heads;
  c.kv_heads = v.k_heads;
  c.layout = Layout::kContiguous;
  c.position_kind = ParsePositionKind(v.positions_kind);
  c.positions = std::move(positions);
  return c;
}

// Reads one .npy into a view; "" or the one-line error.
std::string ReadInto(const fs::path& path, const TensorView& view) {
  NpyArray array;
  std::string error = ReadNpy(path, array);
  return error.empty() ? CopyNpyIntoView(array, path, view) : error;
}

CaseRecord ErrorRecord(const std::string& candidate, const ValidationCase& c,
                       const std::string& detail) {
  CaseRecord record = NewRecord(candidate, c, c.spec);
  record.status = CaseStatus::kError;
  record.checks = {{Check::kCall, false, detail}};
  record.diagnosis = Diagnosis{DiagnosisCode::kError, detail};
  return record;
}

}  // namespace

std::string ExportVectors(const ValidationPlan& plan, const std::string& dir, bool with_expected,
                          size_t& cases_written) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) return "cannot create " + dir + ": " + error.message();
  std::vector<VectorCase> manifest;
  std::set<std::string> ids;
  for (const ValidationCase& c : PlannedCases(plan)) {
    // Memory layouts (padded, packed QKV) do not exist in files: each case is written once.
    if (c.layout != Layout::kContiguous) continue;
    VectorCase v;
    v.id = VectorCaseId(c.name);
    for (int n = 2; !ids.insert(v.id).second; ++n)
      v.id = VectorCaseId(c.name) + "." + std::to_string(n);
    v.spec = ResolveSeqLen(c.spec, c.positions);
    v.dtype = c.dtype;
    v.tokens = c.tokens();
    v.q_heads = c.q_heads;
    v.k_heads = c.kv_heads;
    v.suite = c.suite;
    v.group = c.group;
    v.name = c.name;
    v.preset = c.preset;
    v.positions_kind = ToString(c.position_kind);

    // The inputs the built-in candidates are given for this case.
    GuardedTensors tensors(c.layout, c.dtype, c.tokens(), c.q_heads, c.kv_heads, v.spec.head_dim);
    tensors.FillRandom(c.seed);
    std::vector<std::pair<std::string, NpyArray>> files = {
        {v.File("positions"), PositionsNpy(c.positions)},
        {v.File("q"), TensorNpy(tensors.q())},
        {v.File("k"), TensorNpy(tensors.k())}};
    if (with_expected) {
      const std::vector<DenseTensor> inputs = tensors.WidenAll();
      files.emplace_back(v.File("q.expected"), DenseNpy(ApplyRope(v.spec, c.positions, inputs[0])));
      files.emplace_back(v.File("k.expected"), DenseNpy(ApplyRope(v.spec, c.positions, inputs[1])));
    }
    for (const auto& [name, array] : files) {
      if (std::string write_error = WriteNpy((fs::path(dir) / name).string(), array);
          !write_error.empty()) {
        return write_error;
      }
    }
    manifest.push_back(std::move(v));
  }
  // The manifest last: a directory without one was not fully written.
  if (std::string write_error =
          WriteJsonFile(fs::path(dir) / "manifest.json", ManifestJson(manifest, with_expected));
      !write_error.empty()) {
    return write_error;
  }
  cases_written = manifest.size();
  return "";
}

std::string CheckVectors(const std::string& dir, const std::string& out_dir,
                         const std::string& candidate, const ExtrapolationOptions& sweep,
                         ValidationResults& results) {
  // The cases first: with both missing, the one named first on the command line is the one named.
  std::vector<VectorCase> cases;
  if (std::string error = ReadManifest(dir, cases); !error.empty()) return error;
  if (!fs::is_directory(out_dir)) return out_dir + ": not a directory";
  ValidationResults judged;
  for (const VectorCase& v : cases) {
    const fs::path in = dir;
    if (v.k_heads == 0) {
      return fmt::format("{}/manifest.json: case '{}': k_heads 0 (no K) cannot be checked", dir,
                         v.id);
    }
    NpyArray positions_npy;
    std::vector<int64_t> positions;
    const std::string positions_path = (in / v.File("positions")).string();
    std::string error = ReadNpy(positions_path, positions_npy);
    if (error.empty()) error = ReadPositionsNpy(positions_npy, positions_path, v.tokens, positions);
    if (!error.empty()) return error;
    const ValidationCase c = FromVectorCase(v, positions);

    GuardedTensors tensors(Layout::kContiguous, v.dtype, v.tokens, v.q_heads, v.k_heads,
                           v.spec.head_dim);
    for (const auto& [what, view] : {std::pair{"q", &tensors.q()}, {"k", &tensors.k()}}) {
      if (error = ReadInto(in / v.File(what), *view); !error.empty()) return error;
    }
    const GuardedTensors::Bytes input_bytes = tensors.Snapshot();
    const std::vector<DenseTensor> inputs = tensors.WidenAll();

    const fs::path q_out = fs::path(out_dir) / v.File("q"), k_out = fs::path(out_dir) / v.File("k");
    const bool has_q = fs::exists(q_out), has_k = fs::exists(k_out);
    if (!has_q && !has_k) {
      CaseRecord skipped = NewRecord(candidate, c, c.spec);
      skipped.status = CaseStatus::kSkip;
      skipped.skip_reason = "no output in " + out_dir;
      judged.cases.push_back(std::move(skipped));
      continue;
    }
    if (!has_q || !has_k) {
      const fs::path missing = has_q ? k_out : q_out;
      judged.cases.push_back(
          ErrorRecord(candidate, c, missing.string() + ": missing (the other output is there)"));
      continue;
    }
    error = ReadInto(q_out, tensors.q());
    if (error.empty()) error = ReadInto(k_out, tensors.k());
    if (!error.empty()) {
      judged.cases.push_back(ErrorRecord(candidate, c, error));
      continue;
    }
    const double tolerance = PairErrorTolerance(Arithmetic::kF32, v.dtype);
    if (v.group == "extrapolation" && positions == ExtrapolationPositions(sweep.max_exponent)) {
      ExtrapolationRecord record;
      record.candidate = candidate;
      record.preset = v.preset;
      record.dtype = ToString(v.dtype);
      record.horizon = sweep.horizon;
      record.tolerance = tolerance;
      const Observation observation{v.spec,    positions, v.dtype,
                                    tolerance, inputs,    tensors.WidenAll()};
      JudgeSweep(observation, sweep, record);
      judged.extrapolation.push_back(std::move(record));
      continue;
    }
    judged.cases.push_back(
        JudgeRecordedOutput(candidate, c, tolerance, tensors, input_bytes, inputs));
  }
  results = std::move(judged);
  return "";
}

}  // namespace ropebench
