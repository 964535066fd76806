// One self-contained HTML page of Plotly figures: the figures are JSON (data + layout, exactly as
// plotly.js takes them) and plotly.js itself is inlined, so the page needs no network to be viewed.
#pragma once

#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace ropebench {

struct Figure {
  std::string title;
  std::string caption;  // what to read in it, one or two sentences
  nlohmann::json data;  // Plotly traces
  nlohmann::json layout;
  int height_px = 420;
};

struct PageSection {
  std::string heading;
  std::string intro;  // plain text
  std::vector<Figure> figures;
};

struct Page {
  std::string title;
  // Facts shown as a two-column table under the title: {"machine", "Intel ... 2 cores"}, ...
  std::vector<std::pair<std::string, std::string>> facts;
  std::vector<PageSection> sections;
};

// The page's HTML with `plotly_js` (the library's source) inlined. Every figure div gets
// data-rendered="yes" once Plotly has drawn it, and script errors are listed in #page-errors, so a
// headless browser can check that the page works.
std::string RenderPage(const Page& page, const std::string& plotly_js);

// Text made safe inside HTML elements and attributes.
std::string EscapeHtml(std::string_view text);

// A report value that may be a number or, for NaN/inf, a word ("nan"): the number, or null for
// Plotly.
nlohmann::json PlotValue(const nlohmann::json& value);

}  // namespace ropebench
