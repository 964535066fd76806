#include "bench/cli/html_report.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "bench/cli/cli_plans.h"
#include "fmt/format.h"
#include "reports/html/comparison_figures.h"
#include "reports/html/preset_properties.h"
#include "reports/html/report_figures.h"
#include "reports/report_json.h"
#include "reports/report_reader.h"

namespace ropebench {
namespace {

// --plotly-js FILE, else $ROPEBENCH_PLOTLY_JS, else Debian's copy.
std::string ReadPlotlyJs(const ParsedArgs& args) {
  std::string path = args.Value("plotly-js");
  if (path.empty()) {
    const char* env = std::getenv("ROPEBENCH_PLOTLY_JS");
    path = env != nullptr && *env != '\0' ? env : kDebianPlotlyJs;
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in || text.str().find("Plotly") == std::string::npos) {
    throw UsageError{
        fmt::format("plotly.js not found or not plotly.js at {}: install Debian's python3-plotly "
                    "(scripts/setup does) or pass --plotly-js FILE",
                    path)};
  }
  return text.str();
}

std::vector<PresetProperties> PropertiesOfPresets(const std::vector<std::string>& names) {
  std::vector<PresetProperties> out;
  for (const std::string& name : names) {
    if (const ModelPreset* preset = FindPreset(name))
      out.push_back(ComputePresetProperties(*preset));
  }
  return out;
}

void WritePage(const std::string& path, const Page& page, const std::string& plotly_js) {
  if (const std::string error = WriteFileAtomically(path, RenderPage(page, plotly_js));
      !error.empty()) {
    throw UsageError{error};
  }
  size_t figures = 0;
  for (const PageSection& s : page.sections) figures += s.figures.size();
  fmt::print(stderr, "wrote {} ({} figures)\n", path, figures);
}

}  // namespace

int ReportCommand(const ParsedArgs& args) {
  if (args.positional().size() != 1 || !args.Has("html")) {
    throw UsageError{"say: ropebench report REPORT.json --html OUT.html"};
  }
  const std::string path = args.positional()[0];
  nlohmann::json report;
  if (const std::string error = ReadReport(path, report); !error.empty()) throw UsageError{error};
  const std::string plotly_js = ReadPlotlyJs(args);
  Page page{"ropebench report " + std::filesystem::path(path).filename().string(),
            ReportFacts(report), ReportSections(report)};
  if (std::vector<PresetProperties> presets = PropertiesOfPresets(ReportPresets(report));
      !presets.empty()) {
    page.sections.push_back(PresetSection(presets));
  }
  if (page.sections.empty()) {
    throw UsageError{path + ": nothing to plot (no benchmarks, bandwidth, sweeps or presets)"};
  }
  WritePage(args.Value("html"), page, plotly_js);
  return 0;
}

void WriteComparisonHtml(const ParsedArgs& args, const std::string& html_path,
                         const Comparison& comparison, const CompareOptions& options,
                         const nlohmann::json& base, const nlohmann::json& head) {
  const std::string plotly_js = ReadPlotlyJs(args);
  Page page{"ropebench comparison", {}, {}};
  page.facts.emplace_back("verdict", comparison.Headline());
  for (const auto& [side, report] : {std::pair{"BASE", &base}, {"HEAD", &head}}) {
    for (const auto& [name, value] : ReportFacts(*report)) {
      if (name == "tool" || name == "run")
        page.facts.emplace_back(fmt::format("{} {}", side, name), value);
    }
  }
  for (const std::string& line : comparison.accuracy_regressions)
    page.facts.emplace_back("accuracy regression", line);
  for (const std::string& d : comparison.fingerprint_differences)
    page.facts.emplace_back("machine differs", d);
  for (const std::string& name : comparison.only_in_base)
    page.facts.emplace_back("only in BASE", name);
  for (const std::string& name : comparison.only_in_head)
    page.facts.emplace_back("only in HEAD", name);
  page.sections.push_back(ComparisonSection(comparison, options));
  WritePage(html_path, page, plotly_js);
}

}  // namespace ropebench
