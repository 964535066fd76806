#include "reports/html/html_page.h"

#include "fmt/format.h"

namespace ropebench {
namespace {

// JSON inside <script>: "</script" would end the element early and "<!--" can change how the
// rest is parsed, so every "<" (which JSON has only inside strings) is written as \u003c.
std::string ScriptJson(const nlohmann::json& json) {
  std::string out;
  for (char c : json.dump()) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out += c;
    }
  }
  return out;
}

constexpr std::string_view kStyle = R"(
body { font-family: system-ui, sans-serif; margin: 1.5em 2em; color: #222; max-width: 1200px; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
h3 { font-size: 1em; margin: 1.2em 0 0.2em; }
table.facts td { padding: 1px 12px 1px 0; vertical-align: top; } table.facts td:first-child { color: #666; white-space: nowrap; }
p.caption, p.intro { color: #444; margin: 0.2em 0 0.5em; max-width: 60em; }
div.plot { width: 100%; border: 1px solid #eee; }
#page-errors { color: #b00; }
)";

// Runs after plotly.js: draws every figure, marks it drawn, and lists any script error on the page.
constexpr std::string_view kDrawScript = R"(
(function () {
  var errors = document.getElementById('page-errors');
  function report(message) {
    var item = document.createElement('li');
    item.textContent = String(message);
    errors.appendChild(item);
  }
  window.addEventListener('error', function (e) { report(e.message); });
  var consoleError = console.error;
  console.error = function () { report(Array.prototype.join.call(arguments, ' ')); consoleError.apply(console, arguments); };
  if (typeof Plotly === 'undefined') { report('plotly.js did not load'); return; }
  var figures = JSON.parse(document.getElementById('figures').textContent);
  var pending = figures.length;
  figures.forEach(function (figure, index) {
    var div = document.getElementById('plot-' + index);
    Plotly.newPlot(div, figure.data, figure.layout, {responsive: true, displaylogo: false})
      .then(function () {
        div.setAttribute('data-rendered', div.querySelector('svg.main-svg') ? 'yes' : 'no-svg');
        if (--pending === 0) document.body.setAttribute('data-plots-done', String(figures.length));
      })
      .catch(function (e) { report('figure ' + index + ': ' + e); });
  });
  if (figures.length === 0) document.body.setAttribute('data-plots-done', '0');
})();
)";

// The library's text inside a <script> element must not close it early; "<\/script" is the same
// inside a JavaScript string, where such text can only occur.
std::string ScriptText(std::string js) {
  for (size_t at = js.find("</script"); at != std::string::npos; at = js.find("</script", at))
    js.replace(at, 2, "<\\/");
  return js;
}

}  // namespace

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

nlohmann::json PlotValue(const nlohmann::json& value) {
  return value.is_number() ? value : nlohmann::json(nullptr);
}

std::string RenderPage(const Page& page, const std::string& plotly_js) {
  std::string body;
  body += fmt::format("<h1>{}</h1>\n<table class=\"facts\">\n", EscapeHtml(page.title));
  for (const auto& [name, value] : page.facts) {
    body += fmt::format("<tr><td>{}</td><td>{}</td></tr>\n", EscapeHtml(name), EscapeHtml(value));
  }
  body += "</table>\n<ul id=\"page-errors\"></ul>\n";
  nlohmann::json figures = nlohmann::json::array();
  for (const PageSection& section : page.sections) {
    body += fmt::format("<h2>{}</h2>\n", EscapeHtml(section.heading));
    if (!section.intro.empty())
      body += fmt::format("<p class=\"intro\">{}</p>\n", EscapeHtml(section.intro));
    for (const Figure& figure : section.figures) {
      nlohmann::json layout = figure.layout;
      layout["height"] = figure.height_px;
      if (!layout.contains("margin")) layout["margin"] = {{"t", 30}, {"r", 20}, {"b", 50}};
      body += fmt::format(
          "<h3>{}</h3>\n<p class=\"caption\">{}</p>\n<div class=\"plot\" id=\"plot-{}\" "
          "style=\"height:{}px\"></div>\n",
          EscapeHtml(figure.title), EscapeHtml(figure.caption), figures.size(), figure.height_px);
      figures.push_back({{"data", figure.data}, {"layout", std::move(layout)}});
    }
  }
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n"
      "<style>{}</style>\n</head>\n<body>\n{}"
      "<script type=\"application/json\" id=\"figures\">{}</script>\n"
      "<script>\n{}\n</script>\n<script>{}</script>\n</body>\n</html>\n",
      EscapeHtml(page.title), kStyle, body, ScriptJson(figures), ScriptText(plotly_js),
      kDrawScript);
}

}  // namespace ropebench
