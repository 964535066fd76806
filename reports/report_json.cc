#include "reports/report_json.h"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <ostream>

#include "reports/spec_json.h"

namespace ropebench {
namespace {

// JSON has no infinity or NaN: say so in words rather than write null.
nlohmann::json Number(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  return value;
}

// Per-pair figures to float precision: a report of many failing cases stays readable.
nlohmann::json Rounded(const std::vector<double>& values) {
  nlohmann::json list = nlohmann::json::array();
  for (double v : values) list.push_back(Number(static_cast<float>(v)));
  return list;
}

nlohmann::json DiagnosisJson(const std::optional<Diagnosis>& diagnosis) {
  if (!diagnosis) return nullptr;
  nlohmann::json j = {{"code", ToString(diagnosis->code)}, {"detail", diagnosis->detail}};
  if (const std::optional<RecoveredPairs>& r = diagnosis->recovered) {
    j["recovered"] = {{"pairing", r->pairing},      {"spec_theta", Rounded(r->spec_theta)},
                      {"theta", Rounded(r->theta)}, {"offset", Rounded(r->offset)},
                      {"gain", Rounded(r->gain)},   {"angle_bits", Rounded(r->angle_bits)}};
  }
  return j;
}

}  // namespace

std::string_view ToString(CaseStatus status) {
  constexpr std::string_view kNames[] = {"pass",  "fail",    "skip",     "error",
                                         "crash", "timeout", "precision"};
  return kNames[static_cast<int>(status)];
}

std::string_view ToString(Check check) {
  constexpr std::string_view kNames[] = {"call",
                                         "error",
                                         "identity_at_zero",
                                         "norm_ratio",
                                         "passthrough",
                                         "guards",
                                         "inputs_untouched",
                                         "determinism",
                                         "prefill_decode",
                                         "relative_position",
                                         "history"};
  static_assert(std::size(kNames) == std::size(kAllChecks));
  return kNames[static_cast<int>(check)];
}

std::string_view ToString(DiagnosisCode code) {
  constexpr std::string_view kNames[] = {"pairing_swapped",
                                         "position_offset",
                                         "rotation_inverted",
                                         "cos_sin_swapped",
                                         "partial_rotary_ignored",
                                         "base_mismatch",
                                         "scaling_ignored",
                                         "scaling_mismatch",
                                         "attention_factor_missing",
                                         "attention_factor_squared",
                                         "low_precision_angle",
                                         "guard_violation",
                                         "passthrough_modified",
                                         "nondeterministic",
                                         "crash",
                                         "timeout",
                                         "error",
                                         "unexplained"};
  static_assert(std::size(kNames) == std::size(kAllDiagnosisCodes));
  return kNames[static_cast<int>(code)];
}

std::ostream& operator<<(std::ostream& os, Check check) { return os << ToString(check); }
std::ostream& operator<<(std::ostream& os, DiagnosisCode code) { return os << ToString(code); }

DiagnosisCode CodeOfFailedCall(CaseStatus status) {
  switch (status) {
    case CaseStatus::kCrash:
      return DiagnosisCode::kCrash;
    case CaseStatus::kTimeout:
      return DiagnosisCode::kTimeout;
    default:
      return DiagnosisCode::kError;
  }
}

nlohmann::json CaseJson(const CaseRecord& r) {
  nlohmann::json j = {
      {"candidate", r.candidate},
      {"suite", r.suite},
      {"group", r.group},
      {"name", r.name},
      {"preset", r.preset.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.preset)},
      {"spec", SpecJson(r.spec)},
      {"dtype", r.dtype},
      {"shape",
       {{"tokens", r.tokens},
        {"q_heads", r.q_heads},
        {"kv_heads", r.kv_heads},
        {"head_dim", r.spec.head_dim},
        {"layout", r.layout},
        {"positions", r.positions}}},
      {"status", ToString(r.status)}};
  if (r.status == CaseStatus::kSkip) j["skip_reason"] = r.skip_reason;
  if (r.metrics) {
    const CaseMetrics& m = *r.metrics;
    j["metrics"] = {{"max_abs", Number(m.max_abs)},
                    {"rms", Number(m.rms)},
                    {"nmse", Number(m.nmse)},
                    {"max_pair_error_u", Number(m.max_pair_error)},
                    {"tolerance_u", m.tolerance},
                    {"worst",
                     {{"token", m.worst_token},
                      {"position", m.worst_position},
                      {"head", m.worst_head},
                      {"pair", m.worst_pair}}}};
    if (m.first_failing_position >= 0) {
      j["metrics"]["first_failing_position"] = m.first_failing_position;
    }
  }
  nlohmann::json checks = nlohmann::json::array();
  for (const CheckOutcome& c : r.checks) {
    checks.push_back({{"name", ToString(c.check)}, {"passed", c.passed}, {"detail", c.detail}});
  }
  j["checks"] = std::move(checks);
  j["diagnosis"] = DiagnosisJson(r.diagnosis);
  return j;
}

nlohmann::json ExtrapolationJson(const ExtrapolationRecord& r) {
  nlohmann::json buckets = nlohmann::json::array();
  for (const ExtrapolationBucket& b : r.buckets) {
    buckets.push_back({{"exponent", b.exponent},
                       {"positions", b.positions},
                       {"max_pair_error_u", Number(b.max_pair_error)},
                       {"passed", b.passed}});
    if (b.declined) buckets.back()["declined"] = true;
  }
  nlohmann::json j = {{"candidate", r.candidate},
                      {"preset", r.preset},
                      {"dtype", r.dtype},
                      {"status", ToString(r.status)},
                      {"tolerance_u", r.tolerance},
                      {"horizon", r.horizon},
                      {"accurate_up_to", r.accurate_up_to},
                      {"accurate_everywhere", r.accurate_everywhere},
                      {"buckets", std::move(buckets)},
                      {"diagnosis", DiagnosisJson(r.diagnosis)}};
  if (r.status == CaseStatus::kSkip) j["skip_reason"] = r.skip_reason;
  if (r.declines_from >= 0) j["declines_from"] = r.declines_from;
  return j;
}

nlohmann::json ValidationJson(const ValidationResults& results) {
  std::map<std::string, std::map<std::string, int>> counts;
  nlohmann::json cases = nlohmann::json::array();
  for (const CaseRecord& r : results.cases) {
    ++counts[r.candidate][std::string(ToString(r.status))];
    cases.push_back(CaseJson(r));
  }
  nlohmann::json summary = nlohmann::json::object();
  for (const auto& [candidate, by_status] : counts) {
    summary[candidate] = {{"pass", 0}, {"fail", 0}, {"skip", 0}};  // the others when they occur
    for (const auto& [status, n] : by_status) summary[candidate][status] = n;
  }
  nlohmann::json extrapolation = nlohmann::json::array();
  for (const ExtrapolationRecord& r : results.extrapolation) {
    extrapolation.push_back(ExtrapolationJson(r));
  }
  return {{"validation", {{"summary", std::move(summary)}, {"cases", std::move(cases)}}},
          {"extrapolation", std::move(extrapolation)}};
}

nlohmann::json BandwidthJson(const std::vector<BandwidthRecord>& probe) {
  nlohmann::json points = nlohmann::json::array();
  for (const BandwidthRecord& r : probe) {
    points.push_back({{"kind", r.kind},
                      {"threads", r.threads},
                      {"bytes", r.bytes},
                      {"repetition_ns", r.repetition_ns},
                      {"bytes_per_second", Number(r.bytes_per_second)}});
  }
  return points;
}

nlohmann::json BenchmarksJson(const std::vector<BenchmarkRecord>& benchmarks) {
  nlohmann::json list = nlohmann::json::array();
  for (const BenchmarkRecord& r : benchmarks) {
    nlohmann::json j = {{"name", r.name},
                        {"candidate", r.candidate},
                        {"preset", r.preset},
                        {"dtype", r.dtype},
                        {"tokens", r.tokens},
                        {"threads", r.threads},
                        {"positions", r.positions},
                        {"status", r.status},
                        {"working_set_bytes", r.working_set_bytes},
                        {"bytes_per_call", r.bytes_per_call},
                        {"cos_sin", r.cos_sin}};
    if (!r.target.empty()) j["target"] = r.target;
    if (r.status != "ok") {  // never timed, or a call failed while timed
      j["skip_reason"] = r.skip_reason;
      j["validation_failed"] = r.validation_failed;
    } else {
      j["verdict"] = r.verdict;
      if (!r.verdict_detail.empty()) j["verdict_detail"] = r.verdict_detail;
      j["iterations"] = r.iterations;
      j["timing"] = r.timing;
      j["repetition_ns"] = r.repetition_ns;
      j["median_ns"] = Number(r.median_ns);
      j["mad_ns"] = Number(r.mad_ns);
      j["bytes_per_second"] = Number(r.bytes_per_second);
      j["tokens_per_second"] = Number(r.tokens_per_second);
      j["ns_per_token"] = Number(r.ns_per_token);
      j["probe_bytes_per_second"] = Number(r.probe_bytes_per_second);
      j["probe_source"] = r.probe_source;
      if (!r.probe_repetition_ns.empty()) j["probe_repetition_ns"] = r.probe_repetition_ns;
      if (!r.probe_pattern.empty()) {
        j["probe_pattern"] = r.probe_pattern;
        nlohmann::json patterns = nlohmann::json::object();
        for (const auto& [name, speed] : r.probe_patterns) patterns[name] = Number(speed);
        j["probe_patterns"] = patterns;
      }
      j["roofline"] = Number(r.roofline);
      j["probe_shortfall"] = r.probe_shortfall;
      if (!r.note.empty()) j["note"] = r.note;
    }
    list.push_back(std::move(j));
  }
  return list;
}

double ReportNumber(const nlohmann::json& value) {
  if (value.is_number()) return value.get<double>();
  if (value == "inf") return std::numeric_limits<double>::infinity();
  if (value == "-inf") return -std::numeric_limits<double>::infinity();
  return std::numeric_limits<double>::quiet_NaN();
}

std::string WriteFileAtomically(const std::filesystem::path& path, std::string_view text) {
  std::error_code error;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), error);
  if (error) return "cannot create " + path.parent_path().string() + ": " + error.message();
  const std::filesystem::path temporary =
      path.string() + ".tmp-" + std::to_string(static_cast<long>(getpid()));
  {
    std::ofstream out(temporary, std::ios::binary);
    if (!out) return "cannot write " + temporary.string() + ": " + std::strerror(errno);
    out << text;
    if (!out.flush()) {
      out.close();
      std::filesystem::remove(temporary, error);
      return "cannot write " + temporary.string() + ": " + std::strerror(errno);
    }
  }
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::filesystem::remove(temporary);
    return "cannot rename into " + path.string() + ": " + error.message();
  }
  return "";
}

std::string WriteJsonFile(const std::filesystem::path& path, const nlohmann::json& json) {
  return WriteFileAtomically(path, json.dump(1) + '\n');
}

}  // namespace ropebench
