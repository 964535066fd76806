#include "reports/html/report_figures.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "fmt/format.h"

namespace ropebench {
namespace {

// Plotly's default colour cycle, so that one candidate keeps one colour across a section's figures.
constexpr const char* kColours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

class ColourOf {
 public:
  std::string operator()(const std::string& key) {
    auto [it, added] = index_.emplace(key, index_.size());
    return kColours[it->second % std::size(kColours)];
  }

 private:
  std::map<std::string, size_t> index_;
};

// Readers of fields that a report may lack or hold with another type: the page draws what is there.
std::string Str(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

double Num(const nlohmann::json& object, const char* key, double fallback = 0) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  return it != object.end() && it->is_number() ? it->get<double>() : fallback;
}

const nlohmann::json& Member(const nlohmann::json& object, const char* key) {
  static const nlohmann::json kNone;
  if (!object.is_object()) return kNone;
  auto it = object.find(key);
  return it != object.end() ? *it : kNone;
}

nlohmann::json LogAxis(const std::string& title) {
  return {{"title", {{"text", title}}}, {"type", "log"}, {"exponentformat", "power"}};
}

std::string Bytes(double bytes) {
  if (bytes >= 1 << 30) return fmt::format("{:g} GiB", bytes / (1 << 30));
  if (bytes >= 1 << 20) return fmt::format("{:g} MiB", bytes / (1 << 20));
  return fmt::format("{:g} KiB", bytes / 1024);
}

// Per preset x dtype: GB/s (top) and fraction of the same-buffers rmw (bottom) against tokens, one
// line per candidate x threads.
PageSection ThroughputSection(const nlohmann::json& benchmarks) {
  std::map<std::pair<std::string, std::string>, std::vector<const nlohmann::json*>> groups;
  std::vector<std::pair<std::string, std::string>> order;
  for (const nlohmann::json& b : benchmarks) {
    if (Str(b, "status") != "ok") continue;
    auto key = std::pair{Str(b, "preset"), Str(b, "dtype")};
    if (!groups.contains(key)) order.push_back(key);
    groups[key].push_back(&b);
  }
  PageSection section{
      "Throughput and roofline",
      "Bytes of Q and K read and written per second at the median repetition (top), and that as a "
      "fraction of an in-place read-modify-write of the same buffers on this machine (bottom: 1 is "
      "the memory system's limit). Tokens 1 is a decode step at the model's last position.",
      {}};
  ColourOf colour;
  for (const auto& key : order) {
    std::map<std::string, std::vector<const nlohmann::json*>> lines;
    for (const nlohmann::json* b : groups[key]) {
      lines[fmt::format("{} ({} thr)", Str(*b, "candidate"), Num(*b, "threads", 1))].push_back(b);
    }
    nlohmann::json data = nlohmann::json::array();
    for (auto& [name, points] : lines) {
      std::sort(points.begin(), points.end(), [](const nlohmann::json* a, const nlohmann::json* b) {
        return Num(*a, "tokens") < Num(*b, "tokens");
      });
      nlohmann::json x = nlohmann::json::array(), gbs = nlohmann::json::array(),
                     roof = nlohmann::json::array(), text = nlohmann::json::array();
      for (const nlohmann::json* p : points) {
        x.push_back(Num(*p, "tokens"));
        const nlohmann::json speed = PlotValue(Member(*p, "bytes_per_second"));
        gbs.push_back(speed.is_number() ? nlohmann::json(speed.get<double>() / 1e9) : speed);
        roof.push_back(PlotValue(Member(*p, "roofline")));
        text.push_back(Str(*p, "name"));
      }
      const std::string c = colour(name);
      data.push_back({{"type", "scatter"},
                      {"mode", "lines+markers"},
                      {"name", name},
                      {"legendgroup", name},
                      {"x", x},
                      {"y", gbs},
                      {"text", text},
                      {"line", {{"color", c}}},
                      {"yaxis", "y"}});
      data.push_back({{"type", "scatter"},
                      {"mode", "lines+markers"},
                      {"name", name},
                      {"legendgroup", name},
                      {"showlegend", false},
                      {"x", x},
                      {"y", roof},
                      {"text", text},
                      {"line", {{"color", c}, {"dash", "dot"}}},
                      {"yaxis", "y2"}});
    }
    nlohmann::json x_axis = LogAxis("tokens per call");
    x_axis["anchor"] = "y2";  // drawn under the lower panel; both panels share it
    nlohmann::json layout = {
        {"xaxis", x_axis},
        {"yaxis",
         {{"title", {{"text", "GB/s"}}}, {"domain", {0.45, 1.0}}, {"rangemode", "tozero"}}},
        // Fixed at [0, 1.3]: a decode step on 2 threads divides by a probe that measures thread
        // wake-up, giving ratios of 20-30 that would flatten every other line.
        {"yaxis2",
         {{"title", {{"text", "roofline"}}}, {"domain", {0.0, 0.38}}, {"range", {0, 1.3}}}},
        {"shapes",
         {{{"type", "line"},
           {"xref", "paper"},
           {"x0", 0},
           {"x1", 1},
           {"yref", "y2"},
           {"y0", 1},
           {"y1", 1},
           {"line", {{"color", "#888"}, {"dash", "dash"}, {"width", 1}}}}}},
        {"legend", {{"orientation", "h"}, {"y", -0.18}}}};
    section.figures.push_back(
        {fmt::format("{} {}", key.first, key.second),
         "Solid: GB/s; dotted: roofline fraction (dashed line at 1; the axis stops at 1.3, "
         "so a multi-threaded decode step, whose probe is mostly thread "
         "wake-up, runs off the top: hover for its value).",
         std::move(data), std::move(layout), 520});
  }
  return section;
}

// The probe's GB/s against working set per kind x threads, with each data/unified cache's size.
PageSection BandwidthSection(const nlohmann::json& bandwidth, const nlohmann::json& machine) {
  std::map<std::string, std::vector<const nlohmann::json*>> lines;
  for (const nlohmann::json& p : bandwidth) {
    lines[fmt::format("{} ({} thr)", Str(p, "kind"), Num(p, "threads", 1))].push_back(&p);
  }
  nlohmann::json data = nlohmann::json::array();
  for (auto& [name, points] : lines) {
    std::sort(points.begin(), points.end(), [](const nlohmann::json* a, const nlohmann::json* b) {
      return Num(*a, "bytes") < Num(*b, "bytes");
    });
    nlohmann::json x = nlohmann::json::array(), y = nlohmann::json::array();
    for (const nlohmann::json* p : points) {
      x.push_back(Num(*p, "bytes"));
      const nlohmann::json speed = PlotValue(Member(*p, "bytes_per_second"));
      y.push_back(speed.is_number() ? nlohmann::json(speed.get<double>() / 1e9) : speed);
    }
    data.push_back(
        {{"type", "scatter"}, {"mode", "lines+markers"}, {"name", name}, {"x", x}, {"y", y}});
  }
  nlohmann::json shapes = nlohmann::json::array(), annotations = nlohmann::json::array();
  std::string caches_text;
  bool from_cpuid = false;
  if (Member(machine, "caches").is_array()) {
    for (const nlohmann::json& c : machine["caches"]) {
      const double bytes = Num(c, "bytes");
      if (bytes <= 0) continue;
      const std::string label = fmt::format("L{} {}", Num(c, "level"), Bytes(bytes));
      shapes.push_back({{"type", "line"},
                        {"xref", "x"},
                        {"x0", bytes},
                        {"x1", bytes},
                        {"yref", "paper"},
                        {"y0", 0},
                        {"y1", 1},
                        {"line", {{"color", "#999"}, {"dash", "dash"}, {"width", 1}}}});
      annotations.push_back({{"x", std::log10(bytes)},
                             {"xref", "x"},
                             {"y", 1.0},
                             {"yref", "paper"},
                             {"text", label},
                             {"showarrow", false},
                             {"yanchor", "bottom"}});
      caches_text += (caches_text.empty() ? "" : ", ") + label;
      from_cpuid = from_cpuid || Str(c, "source") == "cpuid";
    }
  }
  nlohmann::json layout = {{"xaxis", LogAxis("working set (bytes)")},
                           {"yaxis", {{"title", {{"text", "GB/s"}}}, {"rangemode", "tozero"}}},
                           {"shapes", shapes},
                           {"annotations", annotations},
                           {"margin", {{"t", 40}, {"r", 20}, {"b", 50}}}};
  return {"Memory bandwidth",
          "The machine's own bandwidth, measured in the same run: an in-place read-modify-write "
          "(what RoPE does) and a copy, fastest repetition per working set (STREAM's convention).",
          {{"bandwidth probe",
            fmt::format("Dashed lines: cache sizes as {} reports them ({}). Beyond the last level "
                        "the curve is DRAM.{}",
                        from_cpuid ? "cpuid" : "/sys",
                        caches_text.empty() ? "none readable" : caches_text,
                        from_cpuid ? " (This machine has no /sys cache entries; a virtual "
                                     "machine's cpuid may report a whole socket's L3.)"
                                   : ""),
            std::move(data), std::move(layout), 460}}};
}

// Per dtype: each candidate x preset's worst pair error per position bucket 2^k, against position,
// with the tolerance each is held to.
PageSection ExtrapolationSection(const nlohmann::json& extrapolation) {
  std::map<std::string, std::vector<const nlohmann::json*>> by_dtype;
  for (const nlohmann::json& r : extrapolation) {
    if (Member(r, "buckets").is_array() && !r["buckets"].empty())
      by_dtype[Str(r, "dtype")].push_back(&r);
  }
  PageSection section{
      "Extrapolation",
      "The sweep rotates positions 2^k - 1, 2^k and 2^k + 1 for k = 0..31 and plots the worst "
      "pair error per k in units of the storage dtype's unit roundoff u. A candidate is accurate "
      "up to the last position before its curve first crosses its tolerance.",
      {}};
  ColourOf colour;
  for (const auto& [dtype, records] : by_dtype) {
    nlohmann::json data = nlohmann::json::array();
    std::set<double> tolerances;
    int64_t horizon = 0;
    for (const nlohmann::json* r : records) {
      nlohmann::json x = nlohmann::json::array(), y = nlohmann::json::array();
      for (const nlohmann::json& b : (*r)["buckets"]) {
        // exp2 of the double, not ldexp of an int: a report may hold any exponent (fuzz_report).
        x.push_back(std::exp2(Num(b, "exponent")));
        // A log axis cannot show 0: an exact bucket is drawn at 1e-3 u (the axis floor).
        const nlohmann::json error = PlotValue(Member(b, "max_pair_error_u"));
        y.push_back(error.is_number() ? nlohmann::json(std::max(error.get<double>(), 1e-3))
                                      : nlohmann::json(1e6));  // nan/inf: off the top
      }
      const std::string name = fmt::format("{} {}", Str(*r, "candidate"), Str(*r, "preset"));
      data.push_back({{"type", "scatter"},
                      {"mode", "lines+markers"},
                      {"name", name},
                      {"x", x},
                      {"y", y},
                      {"line", {{"color", colour(Str(*r, "candidate"))}}}});
      if (Num(*r, "tolerance_u") > 0) tolerances.insert(Num(*r, "tolerance_u"));
      if (const nlohmann::json& h = Member(*r, "horizon"); h.is_number_integer())
        horizon = std::max(horizon, h.get<int64_t>());
    }
    nlohmann::json shapes = nlohmann::json::array();
    std::string tolerance_text;
    for (double t : tolerances) {
      shapes.push_back({{"type", "line"},
                        {"xref", "paper"},
                        {"x0", 0},
                        {"x1", 1},
                        {"yref", "y"},
                        {"y0", t},
                        {"y1", t},
                        {"line", {{"color", "#d62728"}, {"dash", "dash"}, {"width", 1.5}}}});
      tolerance_text += (tolerance_text.empty() ? "" : ", ") + fmt::format("{:g} u", t);
    }
    if (horizon > 0) {
      shapes.push_back({{"type", "line"},
                        {"xref", "x"},
                        {"x0", horizon},
                        {"x1", horizon},
                        {"yref", "paper"},
                        {"y0", 0},
                        {"y1", 1},
                        {"line", {{"color", "#555"}, {"dash", "dot"}, {"width", 1}}}});
    }
    nlohmann::json layout = {{"xaxis", LogAxis("position")},
                             {"yaxis", LogAxis("worst pair error (u)")},
                             {"shapes", shapes},
                             {"legend", {{"orientation", "h"}, {"y", -0.2}}}};
    section.figures.push_back(
        {fmt::format("extrapolation error, {}", dtype),
         fmt::format("Red dashed: tolerance ({}); dotted: the horizon every candidate must reach "
                     "({}). Points at the top are NaN or infinite errors.",
                     tolerance_text, horizon),
         std::move(data), std::move(layout), 480});
  }
  return section;
}

// What the diagnosis measured for one case that did not pass (a convention defect first, else a
// precision-limited one): the candidate's inverse frequency per pair beside the spec's.
PageSection DiagnosisSection(const nlohmann::json& cases) {
  const nlohmann::json* chosen = nullptr;
  for (const char* status : {"fail", "precision"}) {
    for (const nlohmann::json& c : cases) {
      if (Str(c, "status") == status && Member(Member(c, "diagnosis"), "recovered").is_object()) {
        chosen = &c;
        break;
      }
    }
    if (chosen != nullptr) break;
  }
  PageSection section{
      "Diagnosis",
      "What the candidate measurably did on a case it did not pass: the inverse "
      "frequency of each pair, fitted from the angles it applied, beside the spec's. "
      "Pairs where the two part are where its convention differs.",
      {}};
  if (chosen == nullptr) return section;
  const nlohmann::json& diagnosis = (*chosen)["diagnosis"];
  const nlohmann::json& recovered = diagnosis["recovered"];
  nlohmann::json data = nlohmann::json::array();
  for (const auto& [key, name, style] :
       {std::tuple{"spec_theta", "the spec", "lines"}, {"theta", "the candidate", "markers"}}) {
    nlohmann::json x = nlohmann::json::array(), y = nlohmann::json::array();
    const nlohmann::json& values = Member(recovered, key);
    if (!values.is_array()) continue;
    for (size_t i = 0; i < values.size(); ++i) {
      const nlohmann::json value = PlotValue(values[i]);
      x.push_back(i);
      // A log axis shows magnitudes: an inverted rotation's negative frequency by its size.
      y.push_back(value.is_number() ? nlohmann::json(std::fabs(value.get<double>())) : value);
    }
    data.push_back({{"type", "scatter"}, {"mode", style}, {"name", name}, {"x", x}, {"y", y}});
  }
  nlohmann::json layout = {{"xaxis", {{"title", {{"text", "pair"}}}}},
                           {"yaxis", LogAxis("inverse frequency (radians per position)")},
                           {"legend", {{"orientation", "h"}, {"y", -0.2}}}};
  std::string detail = Str(diagnosis, "detail");
  if (detail.size() > 400) detail = detail.substr(0, 400) + "...";
  section.figures.push_back(
      {fmt::format("recovered frequencies: {} on {}", Str(*chosen, "candidate"),
                   Str(*chosen, "name")),
       fmt::format("{} [{}]: {}", Str(*chosen, "status"), Str(diagnosis, "code"), detail),
       std::move(data), std::move(layout), 420});
  return section;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> ReportFacts(const nlohmann::json& report) {
  std::vector<std::pair<std::string, std::string>> facts;
  const nlohmann::json& machine = Member(report, "machine");
  const nlohmann::json& tool = Member(report, "tool");
  const nlohmann::json& run = Member(report, "run");
  facts.emplace_back("machine", fmt::format("{} ({} logical CPUs), host {}", Str(machine, "brand"),
                                            Num(machine, "logical_cpus"), Str(machine, "host")));
  if (const std::string target = Str(Member(machine, "highway"), "chosen"); !target.empty())
    facts.emplace_back("Highway target", target);
  facts.emplace_back("tool", fmt::format("ropebench {} ({}), {}", Str(tool, "version"),
                                         Str(tool, "git_commit"), Str(tool, "compiler")));
  std::string command;
  if (Member(run, "command_line").is_array()) {
    for (const nlohmann::json& word : run["command_line"])
      if (word.is_string()) {
        if (!command.empty()) command += ' ';
        command += word.get<std::string>();
      }
  }
  facts.emplace_back("run", fmt::format("{} at {}", command, Str(run, "start_time")));
  if (const nlohmann::json& summary = Member(Member(report, "validation"), "summary");
      summary.is_object()) {
    std::string counts;
    for (const auto& [candidate, c] : summary.items()) {
      counts += fmt::format("{}{}: {} pass, {} precision-limited, {} fail, {} skipped",
                            counts.empty() ? "" : "; ", candidate, Num(c, "pass"),
                            Num(c, "precision"), Num(c, "fail"), Num(c, "skip"));
    }
    facts.emplace_back("validation", counts.empty() ? "no cases" : counts);
  }
  return facts;
}

std::vector<PageSection> ReportSections(const nlohmann::json& report) {
  std::vector<PageSection> sections;
  if (Member(report, "benchmarks").is_array()) {
    PageSection throughput = ThroughputSection(report["benchmarks"]);
    if (!throughput.figures.empty()) sections.push_back(std::move(throughput));
  }
  if (Member(report, "bandwidth").is_array() && !report["bandwidth"].empty())
    sections.push_back(BandwidthSection(report["bandwidth"], Member(report, "machine")));
  if (Member(report, "extrapolation").is_array()) {
    PageSection extrapolation = ExtrapolationSection(report["extrapolation"]);
    if (!extrapolation.figures.empty()) sections.push_back(std::move(extrapolation));
  }
  if (const nlohmann::json& cases = Member(Member(report, "validation"), "cases");
      cases.is_array()) {
    PageSection diagnosis = DiagnosisSection(cases);
    if (!diagnosis.figures.empty()) sections.push_back(std::move(diagnosis));
  }
  return sections;
}

std::vector<std::string> ReportPresets(const nlohmann::json& report) {
  std::vector<std::string> presets;
  auto add = [&](const nlohmann::json& list) {
    for (const nlohmann::json& item : list) {
      const std::string name = Str(item, "preset");
      if (!name.empty() && std::find(presets.begin(), presets.end(), name) == presets.end())
        presets.push_back(name);
    }
  };
  for (const nlohmann::json* list :
       {&Member(report, "benchmarks"), &Member(report, "extrapolation"),
        &Member(Member(report, "validation"), "cases")}) {
    if (list->is_array()) add(*list);
  }
  return presets;
}

}  // namespace ropebench
