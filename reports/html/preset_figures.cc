#include "reports/html/preset_figures.h"

#include "fmt/format.h"

namespace ropebench {
namespace {

nlohmann::json VerticalLine(double x, const std::string& colour) {
  return {{"type", "line"},  {"xref", "x"},
          {"x0", x},         {"x1", x},
          {"yref", "paper"}, {"y0", 0},
          {"y1", 1},         {"line", {{"color", colour}, {"dash", "dash"}, {"width", 1}}}};
}

nlohmann::json HorizontalLine(double y, const std::string& colour) {
  return {{"type", "line"}, {"xref", "paper"},
          {"x0", 0},        {"x1", 1},
          {"yref", "y"},    {"y0", y},
          {"y1", y},        {"line", {{"color", colour}, {"dash", "dash"}, {"width", 1}}}};
}

Figure DecayFigure(const PresetProperties& p) {
  const bool scaled = p.scaling != "none";
  nlohmann::json data = {{{"type", "scatter"},
                          {"mode", "lines"},
                          {"name", scaled ? "without scaling" : "as served"},
                          {"x", p.distance},
                          {"y", p.decay}}};
  if (scaled) {
    data.push_back({{"type", "scatter"},
                    {"mode", "lines"},
                    {"name", "with " + p.scaling},
                    {"x", p.distance},
                    {"y", p.scaled_decay}});
  }
  nlohmann::json shapes = {VerticalLine(static_cast<double>(p.original_context), "#888")};
  if (p.context != p.original_context)
    shapes.push_back(VerticalLine(static_cast<double>(p.context), "#d62728"));
  return {fmt::format("{}: long-term decay", p.name),
          fmt::format("RoFormer's relative upper bound on the attention score against relative "
                      "distance m: it falls as m grows, which is RoPE's long-term decay (attention "
                      "factor left out). Grey dashed: the pre-training context ({}){}.",
                      p.original_context,
                      p.context != p.original_context
                          ? fmt::format("; red dashed: the served context ({})", p.context)
                          : ""),
          std::move(data),
          {{"xaxis", {{"title", {{"text", "relative distance m"}}}, {"type", "log"}}},
           {"yaxis", {{"title", {{"text", "(2/d) sum_j |S_j(m)|"}}}, {"rangemode", "tozero"}}},
           {"shapes", shapes},
           {"legend", {{"orientation", "h"}, {"y", -0.2}}}},
          380};
}

Figure WavelengthFigure(const PresetProperties& p) {
  const bool scaled = p.scaling != "none";
  nlohmann::json pairs = nlohmann::json::array(), ratio = nlohmann::json::array();
  for (size_t i = 0; i < p.wavelength.size(); ++i) {
    pairs.push_back(i);
    ratio.push_back(p.scaled_wavelength[i] / p.wavelength[i]);
  }
  nlohmann::json data = {{{"type", "scatter"},
                          {"mode", "markers"},
                          {"name", scaled ? "without scaling" : "wavelength"},
                          {"x", pairs},
                          {"y", p.wavelength}}};
  if (scaled) {
    data.push_back({{"type", "scatter"},
                    {"mode", "markers"},
                    {"name", "with " + p.scaling},
                    {"x", pairs},
                    {"y", p.scaled_wavelength}});
    data.push_back({{"type", "scatter"},
                    {"mode", "lines"},
                    {"name", "stretch (right axis)"},
                    {"x", pairs},
                    {"y", ratio},
                    {"yaxis", "y2"},
                    {"line", {{"color", "#7f7f7f"}}}});
  }
  nlohmann::json layout = {
      {"xaxis", {{"title", {{"text", "pair index i"}}}}},
      {"yaxis",
       {{"title", {{"text", "wavelength 2 pi / theta_i (positions)"}}},
        {"type", "log"},
        {"exponentformat", "power"}}},
      {"shapes", {HorizontalLine(static_cast<double>(p.original_context), "#888")}},
      {"legend", {{"orientation", "h"}, {"y", -0.2}}}};
  if (scaled) {
    layout["yaxis2"] = {{"title", {{"text", "scaled / original wavelength"}}},
                        {"overlaying", "y"},
                        {"side", "right"},
                        {"rangemode", "tozero"}};
    layout["margin"] = {{"t", 30}, {"r", 70}, {"b", 50}};
  }
  return {fmt::format("{}: wavelength per pair", p.name),
          fmt::format("Grey dashed: the pre-training context ({}). Pairs whose wavelength is far "
                      "below it turn many times within it and are left alone by YaRN and Llama-3; "
                      "pairs above it never completed a turn in training and are interpolated. The "
                      "grey line (right axis) is the stretch the scaling applies to each pair.",
                      p.original_context),
          std::move(data), std::move(layout), 380};
}

}  // namespace

PageSection PresetSection(const std::vector<PresetProperties>& presets) {
  PageSection section{"RoPE properties of the presets",
                      "Computed from the float64 reference for each model preset this report "
                      "names, at the context the model is served at (the seq_len that dynamic NTK "
                      "and LongRoPE depend on).",
                      {}};
  for (const PresetProperties& p : presets) {
    section.figures.push_back(DecayFigure(p));
    section.figures.push_back(WavelengthFigure(p));
  }
  return section;
}

}  // namespace ropebench
