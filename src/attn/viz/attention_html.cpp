#include "attn/viz/attention_html.h"

#include <cmath>

#include "attn/io/atomic_file.h"
#include "attn/viz/attention_page_assets.h"
#include "attn/viz/html_page.h"

namespace attn::viz {

namespace {
// Five decimals keep the file small (a 512-token head is 262k numbers) and are
// far below what a colour or a line opacity can show.
double rounded(float v) { return std::round(static_cast<double>(v) * 1e5) / 1e5; }

}  // namespace

std::string attention_view_markup() {
  return R"HTML(
<section class="controls">
  <label>Attention map <select class="av-map"></select></label>
  <label>Head <select class="av-head"></select></label>
</section>
<section><h2>Prediction</h2><div class="av-pred"></div></section>
<section><h2>Every head</h2>
  <p class="hint">Rows attend to columns; brighter = more attention (scaled per head). Click to select.</p>
  <div class="av-overview"></div></section>
<section><h2>Head view</h2>
  <p class="hint">Left: the attending tokens, right: the attended-to tokens; line opacity = weight. Hover a token to highlight its lines.</p>
  <div class="scroll"><div class="hv"><div class="av-hv-left col left"></div>
    <canvas class="av-hv-lines"></canvas><div class="av-hv-right col"></div></div></div></section>
<section><h2>Attention matrix per head</h2>
  <div class="av-matrix scroll"></div></section>
<div class="av-tip"></div>
)HTML";
}

nlohmann::json attention_json(const models::AttentionCapture& cap) {
  nlohmann::json j;
  j["title"] = cap.title;
  j["note"] = cap.note;
  j["sequences"] = nlohmann::json::array();
  for (const auto& s : cap.sequences)
    j["sequences"].push_back({{"name", s.name}, {"tokens", s.tokens}});
  j["maps"] = nlohmann::json::array();
  for (const auto& m : cap.maps) {
    // weights [H, Tq, Tk] -> one flat row-major array per head
    const std::int64_t h = m.weights.dim(0), tq = m.weights.dim(1), tk = m.weights.dim(2);
    const float* w = m.weights.data();
    nlohmann::json heads = nlohmann::json::array();
    for (std::int64_t k = 0; k < h; ++k) {
      nlohmann::json row = nlohmann::json::array();
      for (std::int64_t i = 0; i < tq * tk; ++i) row.push_back(rounded(w[k * tq * tk + i]));
      heads.push_back(std::move(row));
    }
    j["maps"].push_back({{"name", m.name},
                         {"layer", m.layer},
                         {"kind", m.kind},
                         {"q", m.query_seq},
                         {"k", m.key_seq},
                         {"heads", h},
                         {"tq", tq},
                         {"tk", tk},
                         {"w", std::move(heads)}});
  }
  nlohmann::json classes = nlohmann::json::array();
  for (const auto& [label, p] : cap.class_probs) classes.push_back({label, p});
  j["prediction"] = {
      {"title", cap.prediction_title}, {"classes", classes}, {"text", cap.generated_text}};
  return j;
}

std::string attention_html(const models::AttentionCapture& cap) {
  cap.validate();
  HtmlPage page;
  page.title = cap.title.empty() ? "attention" : "attention: " + cap.title;
  page.css = kAttentionCss;
  page.body = "<h1>" + html_escape(page.title) + "</h1>\n";
  if (!cap.note.empty()) page.body += "<p class=\"note\">" + html_escape(cap.note) + "</p>\n";
  page.body += attention_view_markup();
  page.data.emplace_back("attn-data", attention_json(cap));
  page.script = std::string(kAttentionViewJs) + kAttentionPageJs;
  return render_page(page);
}

void write_attention_html(const models::AttentionCapture& cap, const std::filesystem::path& file) {
  write_file_atomic(file, attention_html(cap));
}

}  // namespace attn::viz
