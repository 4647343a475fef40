#include "attn/viz/training_report_lm.h"

#include <fmt/format.h>

#include <cmath>

#include "attn/viz/html_page.h"
#include "attn/viz/report_format.h"

namespace attn::viz {

std::string lm_validations_table(const models::ReportData& d) {
  if (d.epochs.empty()) return "<p class=\"hint\">No validation has run yet.</p>\n";
  std::string out =
      "<table class=\"epochs\"><thead><tr><th>step</th><th>lr</th><th>train loss</th>"
      "<th>val loss</th><th>val bits/char</th><th>elapsed</th></tr></thead><tbody>\n";
  for (const auto& e : d.epochs)
    out += fmt::format(
        "<tr{}><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
        e.best ? " class=\"best\"" : "", e.step, e.best ? " (best)" : "",
        std::isfinite(e.lr) ? fmt::format("{:.3g}", e.lr) : "&ndash;", fixed(e.train_loss),
        fixed(e.val_loss), fixed(e.val_bpc), duration(e.seconds));
  return out + "</tbody></table>\n";
}

std::string lm_evaluation_section(const models::ReportData& d) {
  const models::LmSection& s = *d.lm;
  std::string out;
  if (s.data_file.empty()) {
    out += "<p class=\"note\">" + html_escape(d.missing_data_note) + "</p>\n";
  } else {
    out += fmt::format(
        "<p>On <code>{}</code> ({} characters, {} tokens, every token scored once by windows of "
        "{} tokens moving {}): <b data-metric=\"bits_per_char\">{} bits per character</b>, loss "
        "{} nats per token, perplexity {}.</p>\n",
        html_escape(s.data_file), with_commas(s.characters), with_commas(s.tokens), s.window,
        s.stride, fixed(s.bits_per_char), fixed(s.loss), fixed(s.perplexity, 2));
  }
  out += fmt::format("<h3>Samples</h3>\n<p class=\"hint\">{}; the prompt is in bold.</p>\n",
                     html_escape(s.sampling));
  for (const auto& sample : s.samples)
    out += fmt::format("<pre class=\"sample\"><b>{}</b>{}</pre>\n",
                       sample.prompt.empty() ? "<i>(start token)</i> " : html_escape(sample.prompt),
                       html_escape(sample.text));
  return out;
}

}  // namespace attn::viz
