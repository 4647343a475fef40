// The attention page is self-contained (nothing fetched, no external script or
// stylesheet), escapes hostile token text, and embeds JSON that parses back to
// the capture.
#include "attn/viz/attention_html.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "attn/viz/html_page.h"
#include "test_util.h"
#include "viz/viz_test_util.h"

namespace attn::test {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

const std::vector<std::string> kHostile = {"free", "</script><script>alert(1)</script>", "<!--",
                                           "a&b\"'", "\u2028x"};

models::AttentionCapture hostile_capture() {
  const int t = static_cast<int>(kHostile.size());
  std::vector<float> w(static_cast<std::size_t>(2 * t * t));
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>(i % 7) / 7.0f;
  auto cap = make_capture(kHostile, 2, w);
  cap.title = "run <b>x</b>";
  cap.note = "note </script> & more";
  cap.class_probs = {{"</script>", 0.5}, {"ham", 0.5}};
  return cap;
}

// The text of <script type="application/json" id="attn-data"> ... </script>.
std::string data_block(const std::string& html) {
  const std::string open = R"(<script type="application/json" id="attn-data">)";
  const auto a = html.find(open);
  if (a == std::string::npos) return "";
  const auto b = html.find("</script>", a);
  return html.substr(a + open.size(), b - a - open.size());
}

TEST(AttentionHtml, IsSelfContained) {
  const std::string html = lower(viz::attention_html(hostile_capture()));
  for (const char* bad : {"http://", "https://", "<script src", "<link", "<img", "@import", "url("})
    EXPECT_EQ(html.find(bad), std::string::npos) << bad;
  EXPECT_EQ(html.rfind("<!doctype html>", 0), 0u);
}

TEST(AttentionHtml, EscapesTokensInsideScriptAndMarkup) {
  const std::string html = viz::attention_html(hostile_capture());
  // Exactly three script elements (error hook, data, page script): no token closed one.
  EXPECT_EQ(count_occurrences(lower(html), "<script"), 3u);
  EXPECT_EQ(count_occurrences(lower(html), "</script"), 3u);
  EXPECT_EQ(html.find("<!--"), std::string::npos);
  EXPECT_EQ(html.find("<b>x</b>"), std::string::npos);
  EXPECT_NE(html.find("run &lt;b&gt;x&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(html.find("note &lt;/script&gt; &amp; more"), std::string::npos);
}

TEST(AttentionHtml, EmbeddedJsonParsesBackToTheCapture) {
  const auto cap = hostile_capture();
  const auto j = nlohmann::json::parse(data_block(viz::attention_html(cap)));
  ASSERT_EQ(j["sequences"].size(), 1u);
  EXPECT_EQ(j["sequences"][0]["tokens"].get<std::vector<std::string>>(), kHostile);
  ASSERT_EQ(j["maps"].size(), 1u);
  const auto& m = j["maps"][0];
  EXPECT_EQ(m["heads"].get<int>(), 2);
  EXPECT_EQ(m["tq"].get<int>(), 5);
  EXPECT_EQ(m["kind"].get<std::string>(), "self");
  const float* w = cap.maps[0].weights.data();
  for (int h = 0; h < 2; ++h)
    for (int i = 0; i < 25; ++i) EXPECT_NEAR(m["w"][h][i].get<double>(), w[h * 25 + i], 1e-5);
  EXPECT_EQ(j["prediction"]["classes"][0][0].get<std::string>(), "</script>");
  EXPECT_DOUBLE_EQ(j["prediction"]["classes"][0][1].get<double>(), 0.5);
}

TEST(AttentionHtml, RejectsWeightsThatDoNotMatchTheTokens) {
  auto cap = make_capture({"a", "b"}, 1, {0.5f, 0.5f, 0.5f, 0.5f});
  cap.sequences[0].tokens.push_back("c");
  const std::string msg = error_of([&] { viz::attention_html(cap); });
  EXPECT_NE(msg.find("layer 0 self"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[1, 2, 2]"), std::string::npos) << msg;
}

TEST(HtmlPage, EscapeAndJsonForScript) {
  EXPECT_EQ(viz::html_escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  const nlohmann::json j = {{"k", "</script><!--&\u2028"}};
  const std::string s = viz::json_for_script(j);
  EXPECT_EQ(s.find('<'), std::string::npos) << s;
  EXPECT_EQ(s.find('>'), std::string::npos) << s;
  EXPECT_EQ(s.find('&'), std::string::npos) << s;
  EXPECT_EQ(s.find("\u2028"), std::string::npos) << s;
  EXPECT_EQ(nlohmann::json::parse(s), j);
}

TEST(HtmlPage, RefusesAScriptThatWouldCloseItself) {
  viz::HtmlPage p;
  p.title = "t";
  p.script = "var s = '</script>';";
  EXPECT_NE(error_of([&] { viz::render_page(p); }).find("</script"), std::string::npos);
}

}  // namespace
}  // namespace attn::test
