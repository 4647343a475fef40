#include "attn/viz/training_report_seq2seq.h"

#include <fmt/format.h>

#include <cmath>

#include "attn/viz/html_page.h"
#include "attn/viz/report_format.h"

namespace attn::viz {

std::string seq2seq_validations_table(const models::ReportData& d) {
  if (d.epochs.empty()) return "<p class=\"hint\">No validation has run yet.</p>\n";
  std::string out =
      "<table class=\"epochs\"><thead><tr><th>step</th><th>lr</th><th>train loss</th>"
      "<th>val loss</th><th>val perplexity</th><th>elapsed</th></tr></thead><tbody>\n";
  for (const auto& e : d.epochs)
    out += fmt::format(
        "<tr{}><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
        e.best ? " class=\"best\"" : "", e.step, e.best ? " (best)" : "",
        std::isfinite(e.lr) ? fmt::format("{:.3g}", e.lr) : "&ndash;", fixed(e.train_loss),
        fixed(e.val_loss), fixed(std::exp(e.val_loss), 3), duration(e.seconds));
  return out + "</tbody></table>\n";
}

std::string seq2seq_evaluation_section(const models::ReportData& d) {
  const models::Seq2SeqSection& s = *d.seq2seq;
  if (s.data_file.empty())
    return "<p class=\"note\">" + html_escape(d.missing_data_note) + "</p>\n";
  std::string out =
      fmt::format("<p>On <code>{}</code> ({} pairs, {} distinct sources, decoded with beam {}): ",
                  html_escape(s.data_file), with_commas(s.pairs), with_commas(s.sentences), s.beam);
  for (const auto& [name, score] : s.metrics)
    out += fmt::format("<b data-metric=\"{}\">{} {:.2f}</b>, ", html_escape(name),
                       html_escape(name), score);
  out += fmt::format("teacher-forced loss {} nats per token (perplexity {}).</p>\n", fixed(s.loss),
                     fixed(s.perplexity, 3));
  for (const auto& line : s.metric_details)
    out += "<pre class=\"sample\">" + html_escape(line) + "</pre>\n";
  out += fmt::format(
      "<h3>Sample outputs</h3>\n<p class=\"hint\">The first {} sources of the file; a row is "
      "green when the output equals one of the references.</p>\n"
      "<table class=\"worst\"><thead><tr><th>#</th><th>source</th><th>reference(s)</th>"
      "<th>output</th></tr></thead><tbody>\n",
      s.samples.size());
  for (std::size_t i = 0; i < s.samples.size(); ++i) {
    const auto& x = s.samples[i];
    std::string refs;
    for (const auto& r : x.references) refs += (refs.empty() ? "" : "<br>") + html_escape(r);
    out += fmt::format(
        "<tr class=\"{}\"><td>{}</td><td class=\"text\">{}</td><td class=\"text\">{}</td>"
        "<td class=\"text\">{}</td></tr>\n",
        x.exact ? "right" : "wrong", i + 1, html_escape(x.source), refs, html_escape(x.output));
  }
  return out + "</tbody></table>\n";
}

}  // namespace attn::viz
