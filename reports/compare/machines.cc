#include "reports/compare/machines.h"

#include <cmath>
#include <map>
#include <random>
#include <tuple>

#include "reports/compare/rank_intervals.h"
#include "reports/report_json.h"

namespace ropebench {
namespace {

using Json = nlohmann::json;

std::string Fingerprint(const Json& report) {
  const Json& m = report["machine"];
  auto text = [](const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); };
  std::string line = m.value("brand", "unknown CPU");
  for (const char* key : {"family", "model", "stepping"}) {
    if (m.contains(key)) line += std::string(" ") + key + " " + text(m[key]);
  }
  if (m.contains("highway") && m["highway"].contains("chosen")) {
    line += ", Highway " + text(m["highway"]["chosen"]);
  }
  if (m.contains("cores")) line += ", " + text(m["cores"]) + " cores";
  line += ", " + report["tool"].value("compiler", "?") + " " + report["tool"].value("flags", "");
  return line;
}

// 95 % percentile-bootstrap interval of the mean (fixed seed: the same reports give the same
// table).
std::pair<double, double> BootstrapMean(const std::vector<double>& values) {
  if (values.size() < 2) return {values.empty() ? 0 : values[0], values.empty() ? 0 : values[0]};
  std::mt19937 rng(12345);
  std::uniform_int_distribution<size_t> pick(0, values.size() - 1);
  std::vector<double> means;
  for (int b = 0; b < 2000; ++b) {
    double sum = 0;
    for (size_t i = 0; i < values.size(); ++i) sum += values[pick(rng)];
    means.push_back(sum / static_cast<double>(values.size()));
  }
  std::sort(means.begin(), means.end());
  return {means[50], means[1949]};
}

}  // namespace

std::string CompareMachines(const std::vector<Json>& reports,
                            const std::vector<std::string>& labels, MachinesComparison& out) {
  if (reports.size() < 2) return "--machines needs at least two reports";
  MachinesComparison result;
  result.labels = labels;
  for (const Json& r : reports) result.fingerprints.push_back(Fingerprint(r));
  const size_t machines = reports.size();

  // (preset, dtype) -> (candidate, tokens, threads) -> per machine, the benchmark record.
  using RowKey = std::tuple<std::string, int64_t, int>;
  std::map<std::pair<std::string, std::string>, std::map<RowKey, std::vector<const Json*>>> grid;
  for (size_t k = 0; k < machines; ++k) {
    for (const Json& b : reports[k]["benchmarks"]) {
      if (b["status"] != "ok") continue;
      auto& cells = grid[{b["preset"].get<std::string>(), b["dtype"].get<std::string>()}][RowKey{
          b["candidate"].get<std::string>(), b["tokens"].get<int64_t>(), b["threads"].get<int>()}];
      cells.resize(machines, nullptr);
      cells[k] = &b;
    }
  }
  for (const auto& [group, rows] : grid) {
    MachineTable table;
    table.preset = group.first;
    table.dtype = group.second;
    std::vector<std::vector<double>> log_ratios(machines);
    table.wins.assign(machines, 0);
    table.losses.assign(machines, 0);
    table.compared.assign(machines, 0);
    for (const auto& [key, records] : rows) {
      MachineRow row{std::get<0>(key), std::get<1>(key), std::get<2>(key), {}};
      for (size_t k = 0; k < machines; ++k) {
        MachineCell cell;
        if (records[k] != nullptr) {
          cell.present = true;
          cell.bytes_per_second = (*records[k])["bytes_per_second"].get<double>();
          cell.roofline = ReportNumber((*records[k])["roofline"]);
          if (k > 0 && records[0] != nullptr) {
            cell.ratio = cell.bytes_per_second / (*records[0])["bytes_per_second"].get<double>();
            // Throughput up = time down: the interval is on time(machine k) / time(first machine).
            const ShiftInterval shift =
                UnpairedShift((*records[0])["repetition_ns"].get<std::vector<double>>(),
                              (*records[k])["repetition_ns"].get<std::vector<double>>(), 0.05);
            // At the data limit the range is short of 95 %: no win or loss is claimed from it.
            cell.outcome = shift.at_data_limit ? 0 : shift.high < 0 ? 1 : shift.low > 0 ? -1 : 0;
            table.wins[k] += cell.outcome > 0;
            table.losses[k] += cell.outcome < 0;
            ++table.compared[k];
            log_ratios[k].push_back(std::log(cell.ratio));
          }
        }
        row.cells.push_back(cell);
      }
      table.rows.push_back(std::move(row));
    }
    for (size_t k = 0; k < machines; ++k) {
      if (log_ratios[k].empty()) {
        table.geomean.push_back(k == 0 ? 1 : 0);
        table.low.push_back(k == 0 ? 1 : 0);
        table.high.push_back(k == 0 ? 1 : 0);
        continue;
      }
      double sum = 0;
      for (double v : log_ratios[k]) sum += v;
      const auto [low, high] = BootstrapMean(log_ratios[k]);
      table.geomean.push_back(std::exp(sum / static_cast<double>(log_ratios[k].size())));
      table.low.push_back(std::exp(low));
      table.high.push_back(std::exp(high));
    }
    result.tables.push_back(std::move(table));
  }
  out = std::move(result);
  return "";
}

Json MachinesJson(const MachinesComparison& c) {
  Json tables = Json::array();
  for (const MachineTable& t : c.tables) {
    Json rows = Json::array();
    for (const MachineRow& r : t.rows) {
      Json cells = Json::array();
      for (const MachineCell& cell : r.cells) {
        cells.push_back(cell.present ? Json{{"bytes_per_second", cell.bytes_per_second},
                                            {"roofline", cell.roofline},
                                            {"ratio", cell.ratio},
                                            {"outcome", cell.outcome}}
                                     : Json(nullptr));
      }
      rows.push_back({{"candidate", r.candidate},
                      {"tokens", r.tokens},
                      {"threads", r.threads},
                      {"machines", cells}});
    }
    tables.push_back({{"preset", t.preset},
                      {"dtype", t.dtype},
                      {"rows", rows},
                      {"geomean_ratio", t.geomean},
                      {"geomean_low", t.low},
                      {"geomean_high", t.high},
                      {"wins", t.wins},
                      {"losses", t.losses},
                      {"compared", t.compared}});
  }
  return {{"format", "ropebench-machines"},
          {"version", 1},
          {"reports", c.labels},
          {"fingerprints", c.fingerprints},
          {"tables", tables}};
}

}  // namespace ropebench
