// `ropebench vectors export` and `vectors check`: the validation cases as files for a program in
// any language (reports/vectors/vectors.h), and that program's outputs judged like a candidate's,
// with the same metrics, checks and diagnosis.
#pragma once

#include <string>

#include "bench/validation/validator.h"
#include "reports/records.h"

namespace ropebench {

// Writes the plan's conformance cases and extrapolation sweeps (one case per dtype) to `dir`:
// manifest.json and each case's positions, Q and K, and unless !with_expected the float64
// reference outputs. Returns "" or a one-line error naming the file; `cases_written` counts them.
std::string ExportVectors(const ValidationPlan& plan, const std::string& dir, bool with_expected,
                          size_t& cases_written);

// Judges OUT_DIR/<id>.q.npy and <id>.k.npy against the cases of DIR's manifest, as candidate
// `candidate`. A case with neither output is skipped; one with only one, or outputs of the wrong
// dtype or shape, is an error case. Returns "" or a one-line error (the manifest or an input file
// is unusable), in which case nothing is judged.
std::string CheckVectors(const std::string& dir, const std::string& out_dir,
                         const std::string& candidate, const ExtrapolationOptions& sweep,
                         ValidationResults& results);

}  // namespace ropebench
