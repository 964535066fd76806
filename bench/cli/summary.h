// The summary a person reads at a glance, printed from a report (so `run` and `show` print the
// same): pass/fail counts per candidate with the failures' diagnoses, *accurate up to* per
// candidate x dtype, the bandwidth probe, and per candidate x preset x dtype the throughput and
// roofline per token count.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "nlohmann/json.hpp"

namespace ropebench {

// The report must have passed CheckReport.
void PrintReportSummary(std::FILE* out, const nlohmann::json& report);

// "2^24+1" style for positions near a power of two, plain digits otherwise.
std::string FormatPosition(int64_t position);
// "16K", "1.5M", "3G" bytes.
std::string FormatBytes(double bytes);
// "44.29 (0.80)": GB/s and the roofline fraction, "44.29 (-)" when there is no roofline (NaN).
std::string FormatSpeed(double bytes_per_second, double roofline);

}  // namespace ropebench
