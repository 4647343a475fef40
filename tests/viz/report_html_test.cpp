// The training report page from hand-made ReportData (self-contained, every
// section present, text escaped, charts with one point per logged step) and
// collect_classifier_report on a real tiny run (confusion counts, worst examples).
#include <regex>

#include "attn/train/report_collect.h"
#include "attn/viz/html_page.h"
#include "attn/viz/training_report.h"
#include "cli/cli_fixture.h"
#include "test_util.h"
#include "viz/viz_test_util.h"

namespace attn::test {
namespace {

namespace fs = std::filesystem;

models::ReportData hand_made() {
  models::ReportData d;
  d.run = "runs/<spam>";
  d.model_kind = "encoder classifier";
  d.model_name = "tiny";
  d.config_json = R"({"name": "tiny", "note": "<script>alert(1)</script>"})";
  d.summary = {{"embedding", "Embedding", "(None, 8, 16)", 1040},
               {"head", "Dense", "(None, 1)", 17}};
  for (int s = 1; s <= 7; ++s)
    d.steps.push_back({s * 3, s <= 3 ? 1 : 2, 1.0 / s, 0.5 + 0.05 * s, 1e-3, 1000.0 * s, 0.1 * s});
  d.epochs.push_back({1, 9, 1e-3, 0.8, 0.6, 0.7, 0.65, 0.6, 1.0, true});
  d.epochs.push_back({2, 21, 1e-3, 0.5, 0.8, 0.4, 0.85, 0.8, 1.0, true});
  d.best_epoch = 2;
  models::ClassifierSection c;
  c.data_file = "test.jsonl";
  c.labels = {"ham", "spam"};
  c.confusion = {{5, 1}, {2, 4}};
  c.n = 12;
  c.accuracy = 0.75;
  for (int i = 0; i < 10; ++i)
    c.worst.push_back(
        {std::to_string(i), i == 0 ? "<b>free</b> & \"cash\"" : "text", "spam", "ham", 0.01 * i});
  d.classifier = c;
  d.attention.push_back({"best", make_capture({"a", "b"}, 1, {0.5f, 0.5f, 1, 0})});
  d.attention.push_back(
      {"worst", make_capture({"c", "d"}, 2, {1, 0, 0, 1, 0.5f, 0.5f, 0.5f, 0.5f})});
  return d;
}

// The number of points of each chart's first polyline, by data-chart id.
std::map<std::string, std::size_t> first_polyline_points(const std::string& html) {
  std::map<std::string, std::size_t> out;
  const std::string key = "<figure class=\"chart-box\" data-chart=\"";
  for (auto at = html.find(key); at != std::string::npos; at = html.find(key, at + 1)) {
    const auto id_start = at + key.size();
    const std::string id = html.substr(id_start, html.find('"', id_start) - id_start);
    const std::string svg = html.substr(at, html.find("</svg>", at) - at);
    const auto poly = svg.find("<polyline");
    if (poly == std::string::npos) continue;
    const auto pts = svg.find("points=\"", poly) + 8;
    out[id] = count_occurrences(svg.substr(pts, svg.find('"', pts) - pts), ",");
  }
  return out;
}

void expect_self_contained(const std::string& html) {
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<script src"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("<iframe"), std::string::npos);
}

TEST(ReportHtml, HandMadeDataHasEverySection) {
  const std::string html = viz::training_report_html(hand_made());
  expect_self_contained(html);
  EXPECT_NE(html.find("<table class=\"summary\">"), std::string::npos);
  EXPECT_NE(html.find("embedding (Embedding)"), std::string::npos);
  EXPECT_NE(html.find("1,057"), std::string::npos);  // total params
  EXPECT_NE(html.find("runs/&lt;spam&gt;"), std::string::npos);
  // The config is shown escaped: its text cannot open a script.
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_EQ(count_occurrences(html, "<svg class=\"chart\""), 5u);
  const auto points = first_polyline_points(html);
  for (const char* id : {"loss-step", "loss-time", "accuracy-step", "lr-step", "tokens-step"})
    EXPECT_EQ(points.count(id) ? points.at(id) : 0u, 7u) << id;  // one per steps.jsonl line
  EXPECT_EQ(count_occurrences(html, "class=\"attn-view\""), 2u);
  EXPECT_NE(html.find("id=\"attn-data-0\""), std::string::npos);
  EXPECT_NE(html.find("id=\"attn-data-1\""), std::string::npos);
  EXPECT_NE(html.find("window.attnView"), std::string::npos);
}

TEST(ReportHtml, ExampleTextIsEscaped) {
  const std::string html = viz::training_report_html(hand_made());
  EXPECT_NE(html.find("&lt;b&gt;free&lt;/b&gt; &amp; &quot;cash&quot;"), std::string::npos);
  EXPECT_EQ(html.find("<b>free</b>"), std::string::npos);
}

TEST(ReportHtml, WithoutStepsTheCurvesUseEpochs) {
  auto d = hand_made();
  d.steps.clear();
  d.classifier.reset();
  d.missing_data_note = "no data <given>";
  d.attention.clear();
  const std::string html = viz::training_report_html(d);
  const auto points = first_polyline_points(html);
  EXPECT_EQ(points.at("loss-step"), 2u);
  EXPECT_NE(html.find("no data &lt;given&gt;"), std::string::npos);
  EXPECT_EQ(count_occurrences(html, "class=\"attn-view\""), 0u);
}

TEST(ReportHtml, ExcerptCutsAtCodePoints) {
  EXPECT_EQ(train::text_excerpt("short", 300), "short");
  EXPECT_EQ(train::text_excerpt("abcdef", 3), "abc\u2026");
  EXPECT_EQ(train::text_excerpt("\u00e9\u00e9\u00e9\u00e9", 2), "\u00e9\u00e9\u2026");
  EXPECT_EQ(train::text_excerpt(std::string(301, 'x'), 300), std::string(300, 'x') + "\u2026");
}

TEST(ReportCollect, RealRunConfusionAndWorstExamples) {
  const TinyCorpus c = make_tiny_corpus("report_collect");
  const fs::path run = c.dir / "run";
  const auto r =
      run_cli(fmt::format("train --config '{}' --train '{}' --valid '{}' --out '{}' --threads 2",
                          c.config.string(), c.train.string(), c.valid.string(), run.string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto d = train::collect_classifier_report(run, c.test, 2);
  ASSERT_TRUE(d.classifier.has_value());
  const auto& sec = *d.classifier;
  EXPECT_EQ(sec.labels, (std::vector<std::string>{"ham", "spam"}));
  std::int64_t total = 0, diag = 0;
  for (std::size_t t = 0; t < sec.confusion.size(); ++t)
    for (std::size_t p = 0; p < sec.confusion[t].size(); ++p) {
      total += sec.confusion[t][p];
      if (t == p) diag += sec.confusion[t][p];
    }
  EXPECT_EQ(total, 40);
  EXPECT_EQ(sec.n, 40);
  EXPECT_NEAR(static_cast<double>(diag) / 40.0, sec.accuracy, 1e-12);
  ASSERT_EQ(sec.worst.size(), 10u);
  for (std::size_t i = 1; i < sec.worst.size(); ++i)
    EXPECT_LE(sec.worst[i - 1].p_true, sec.worst[i].p_true);
  for (const auto& w : sec.worst) {
    EXPECT_LE(w.text.size(), models::kExcerptChars + 3);
    EXPECT_EQ(w.predicted_label == w.true_label, w.p_true > 0.5) << w.id;
  }
  EXPECT_EQ(d.steps.back().step, 20);
  EXPECT_EQ(d.epochs.size(), 2u);
  EXPECT_FALSE(d.summary.empty());
  EXPECT_NE(d.config_json.find("\"tiny\""), std::string::npos);
  ASSERT_EQ(d.attention.size(), 2u);
  EXPECT_GE(d.attention[0].capture.class_probs.size(), 2u);

  const std::string html = viz::training_report_html(d);
  expect_self_contained(html);
  std::int64_t cells = 0;
  const std::regex cell("data-count=\"([0-9]+)\"");
  for (std::sregex_iterator it(html.begin(), html.end(), cell), end; it != end; ++it)
    cells += std::stoll((*it)[1].str());
  EXPECT_EQ(cells, 40);
  std::vector<double> ps;
  const std::regex row("<tr class=\"(?:right|wrong)\" data-p=\"([0-9.]+)\"");
  for (std::sregex_iterator it(html.begin(), html.end(), row), end; it != end; ++it)
    ps.push_back(std::stod((*it)[1].str()));
  ASSERT_EQ(ps.size(), 10u);
  EXPECT_TRUE(std::is_sorted(ps.begin(), ps.end()));
  EXPECT_EQ(first_polyline_points(html).at("loss-step"), d.steps.size());
}

}  // namespace
}  // namespace attn::test
