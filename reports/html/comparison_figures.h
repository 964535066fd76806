// The figure of a comparison (`ropebench compare BASE HEAD --html`): per benchmark the change of
// HEAD against BASE with its interval, coloured by verdict, beside the threshold tau.
#pragma once

#include "reports/compare/compare.h"
#include "reports/html/html_page.h"

namespace ropebench {

PageSection ComparisonSection(const Comparison& comparison, const CompareOptions& options);

}  // namespace ropebench
