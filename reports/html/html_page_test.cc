#include "reports/html/html_page.h"

#include <gtest/gtest.h>

namespace ropebench {
namespace {

TEST(HtmlPage, EscapesTextAndKeepsScriptsClosedOnlyWhereMeant) {
  Page page{"a <b> & \"c\"", {{"run", "x < y"}}, {}};
  PageSection section{"S", "", {}};
  section.figures.push_back({"t",
                             "c",
                             {{{"name", "</script><script>alert(1)</script>"}, {"y", {1, 2}}}},
                             {{"title", "x"}}});
  page.sections.push_back(section);
  const std::string html = RenderPage(page, "window.Plotly = {}; var s = '</script>';");
  EXPECT_NE(html.find("a &lt;b&gt; &amp; &quot;c&quot;"), std::string::npos);
  EXPECT_NE(html.find("x &lt; y"), std::string::npos);
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);  // the trace name cannot open a script
  EXPECT_NE(html.find("\\u003c/script>\\u003cscript>alert(1)\\u003c/script>"), std::string::npos);
  EXPECT_NE(html.find("window.Plotly = {}; var s = '<\\/script>';"), std::string::npos);
  EXPECT_NE(html.find("id=\"plot-0\""), std::string::npos);
  EXPECT_EQ(html.find("id=\"plot-1\""), std::string::npos);
}

TEST(HtmlPage, PlotValueTurnsWordsIntoGaps) {
  EXPECT_EQ(PlotValue(nlohmann::json(1.5)), nlohmann::json(1.5));
  EXPECT_TRUE(PlotValue(nlohmann::json("nan")).is_null());
}

}  // namespace
}  // namespace ropebench
