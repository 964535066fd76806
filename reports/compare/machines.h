// `compare --machines`: the same benchmarks on several machines, side by side. Per preset and
// dtype, each machine's throughput and roofline fraction (against its own bandwidth probe), its
// ratio to the first machine per benchmark with a win or loss decided by a rank interval on the
// repetitions, and the geometric mean of those ratios with a bootstrap interval.
#pragma once

#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace ropebench {

struct MachineCell {
  bool present = false;
  double bytes_per_second = 0;
  double roofline = 0;  // NaN: the report has none (its probe was left out)
  double ratio = 1;     // throughput / the first machine's
  int outcome = 0;      // +1 faster than the first machine (95 % interval), -1 slower, 0 neither
};

struct MachineRow {
  std::string candidate;
  int64_t tokens = 0;
  int threads = 1;
  std::vector<MachineCell> cells;  // one per machine
};

struct MachineTable {
  std::string preset, dtype;
  std::vector<MachineRow> rows;
  // Per machine: geometric mean of the throughput ratios to the first machine over the rows both
  // have, its 95 % bootstrap interval, and the wins and losses.
  std::vector<double> geomean, low, high;
  std::vector<int> wins, losses, compared;
};

struct MachinesComparison {
  std::vector<std::string> labels;        // the report files
  std::vector<std::string> fingerprints;  // one line per machine: CPU, ISA level, target, compiler
  std::vector<MachineTable> tables;
};

// `reports` have passed ReadReport; `labels` name them. Returns "" or a one-line error.
std::string CompareMachines(const std::vector<nlohmann::json>& reports,
                            const std::vector<std::string>& labels, MachinesComparison& out);

nlohmann::json MachinesJson(const MachinesComparison& comparison);

}  // namespace ropebench
