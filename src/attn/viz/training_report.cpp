#include "attn/viz/training_report.h"

#include <fmt/format.h>

#include <map>

#include "attn/io/atomic_file.h"
#include "attn/viz/attention_html.h"
#include "attn/viz/attention_page_assets.h"
#include "attn/viz/html_page.h"
#include "attn/viz/report_assets.h"
#include "attn/viz/report_format.h"
#include "attn/viz/training_report_lm.h"
#include "attn/viz/training_report_seq2seq.h"

namespace attn::viz {

namespace {

constexpr const char* kTrainColor = "#3b528b";
constexpr const char* kValidColor = "#e07000";

ChartSeries series(const std::string& name, const char* color, bool markers) {
  ChartSeries s;
  s.name = name;
  s.color = color;
  s.markers = markers;
  return s;
}

std::string summary_section(const models::ReportData& d) {
  std::string out =
      "<table class=\"summary\"><thead><tr><th>Layer (type)</th><th>Output shape</th>"
      "<th class=\"num\">Params</th></tr></thead><tbody>\n";
  std::int64_t total = 0;
  for (const auto& r : d.summary) {
    out += fmt::format("<tr><td>{} ({})</td><td>{}</td><td class=\"num\">{}</td></tr>\n",
                       html_escape(r.name), html_escape(r.type), html_escape(r.output_shape),
                       with_commas(r.params));
    total += r.params;
  }
  out += fmt::format(
      "</tbody><tfoot><tr><td>Total params</td><td></td><td class=\"num\">{}</td></tr></tfoot>"
      "</table>\n",
      with_commas(total));
  return out;
}

std::string epochs_section(const models::ReportData& d) {
  if (d.epochs.empty()) return "<p class=\"hint\">No epoch has finished yet.</p>\n";
  std::string out =
      "<table class=\"epochs\"><thead><tr><th>epoch</th><th>step</th><th>lr</th>"
      "<th>train loss</th><th>train acc</th><th>val loss</th><th>val acc</th><th>val F1</th>"
      "<th>seconds</th></tr></thead><tbody>\n";
  for (const auto& e : d.epochs)
    out += fmt::format(
        "<tr{}><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td><td>{}</td></tr>\n",
        e.best ? " class=\"best\"" : "", e.epoch, e.best ? " (best)" : "", e.step,
        std::isfinite(e.lr) ? fmt::format("{:.3g}", e.lr) : "&ndash;", fixed(e.train_loss),
        fixed(e.train_accuracy), fixed(e.val_loss), fixed(e.val_accuracy), fixed(e.val_f1),
        fixed(e.seconds, 1));
  return out + "</tbody></table>\n";
}

std::string confusion_table(const models::ClassifierSection& c) {
  std::string out = "<table class=\"confusion\"><thead><tr><th>true \\ predicted</th>";
  for (const auto& l : c.labels) out += "<th>" + html_escape(l) + "</th>";
  out += "</tr></thead><tbody>\n";
  for (std::size_t t = 0; t < c.confusion.size(); ++t) {
    std::int64_t row_total = 0;
    for (auto v : c.confusion[t]) row_total += v;
    out += "<tr><th>" + html_escape(c.labels[t]) + "</th>";
    for (std::size_t p = 0; p < c.confusion[t].size(); ++p) {
      const std::int64_t v = c.confusion[t][p];
      // Shade by the share of the true class, so rare classes stay readable.
      const double share = row_total ? static_cast<double>(v) / static_cast<double>(row_total) : 0;
      out += fmt::format(
          "<td class=\"cell{}\" data-count=\"{}\" style=\"background: rgba({},{:.3f})\">{}</td>",
          t == p ? " diag" : "", v, t == p ? "59,82,139" : "224,112,0", 0.08 + 0.6 * share, v);
    }
    out += "</tr>\n";
  }
  return out + "</tbody></table>\n";
}

std::string evaluation_section(const models::ReportData& d) {
  if (!d.classifier) return "<p class=\"note\">" + html_escape(d.missing_data_note) + "</p>\n";
  const auto& c = *d.classifier;
  std::string out = fmt::format("<p>On <code>{}</code>: {} examples, accuracy <b>{}</b>, loss {}",
                                html_escape(c.data_file), c.n, fixed(c.accuracy), fixed(c.loss));
  if (c.binary)
    out += fmt::format(", precision {}, recall {}, F1 {} (positive label: {})", fixed(c.precision),
                       fixed(c.recall), fixed(c.f1), html_escape(c.positive_label));
  out += ".</p>\n<h3>Confusion matrix</h3>\n" + confusion_table(c);
  out += fmt::format(
      "<h3>The {} worst-classified examples</h3>\n<p class=\"hint\">Lowest probability of the "
      "true label first; texts cut to {} characters.</p>\n",
      c.worst.size(), models::kExcerptChars);
  out +=
      "<table class=\"worst\"><thead><tr><th>#</th><th>id</th><th>true</th><th>predicted</th>"
      "<th>p(true)</th><th>text</th></tr></thead><tbody>\n";
  for (std::size_t i = 0; i < c.worst.size(); ++i) {
    const auto& w = c.worst[i];
    out += fmt::format(
        "<tr class=\"{}\" data-p=\"{:.6f}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td class=\"num\">{:.4f}</td><td class=\"text\">{}</td></tr>\n",
        w.true_label == w.predicted_label ? "right" : "wrong", w.p_true, i + 1, html_escape(w.id),
        html_escape(w.true_label), html_escape(w.predicted_label), w.p_true, html_escape(w.text));
  }
  return out + "</tbody></table>\n";
}

std::string meta_line(const models::ReportData& d) {
  std::int64_t params = 0;
  for (const auto& r : d.summary) params += r.params;
  std::string out =
      fmt::format("<p class=\"meta\">{} &ldquo;{}&rdquo; &middot; {} parameters",
                  html_escape(d.model_kind), html_escape(d.model_name), with_commas(params));
  if (d.lm || d.seq2seq) {
    out += fmt::format(" &middot; {} validation(s)", d.epochs.size());
    if (d.best_epoch > 0) out += fmt::format(" &middot; best step {}", d.best_epoch);
  } else {
    out += fmt::format(" &middot; {} epoch(s) finished", d.epochs.size());
    if (d.best_epoch > 0) out += fmt::format(" &middot; best epoch {}", d.best_epoch);
  }
  if (!d.steps.empty())
    out += fmt::format(" &middot; {} steps in {}", d.steps.back().step,
                       duration(d.steps.back().seconds));
  return out + "</p>\n";
}

}  // namespace

std::vector<ReportChart> report_charts(const models::ReportData& d) {
  const bool fine = !d.steps.empty();
  // Train series: every logged step, or one point per epoch for older runs.
  ChartSeries loss = series(fine ? "train" : "train (per epoch)", kTrainColor, !fine);
  ChartSeries loss_t = loss, acc = loss, lr = series("learning rate", kTrainColor, !fine);
  ChartSeries tps = series("tokens/s", kTrainColor, false);
  std::map<std::int64_t, double> seconds_at;  // step -> wall time, to place epochs in time
  if (fine) {
    for (const auto& s : d.steps) {
      const auto x = static_cast<double>(s.step);
      loss.x.push_back(x), loss.y.push_back(s.loss);
      loss_t.x.push_back(s.seconds), loss_t.y.push_back(s.loss);
      acc.x.push_back(x), acc.y.push_back(s.accuracy);
      lr.x.push_back(x), lr.y.push_back(s.lr);
      tps.x.push_back(x), tps.y.push_back(s.tokens_per_s);
      seconds_at[s.step] = s.seconds;
    }
  } else {
    double t = 0;
    for (const auto& e : d.epochs) {
      const auto x = static_cast<double>(e.step);
      t += std::isfinite(e.seconds) ? e.seconds : 0;
      loss.x.push_back(x), loss.y.push_back(e.train_loss);
      loss_t.x.push_back(t), loss_t.y.push_back(e.train_loss);
      acc.x.push_back(x), acc.y.push_back(e.train_accuracy);
      lr.x.push_back(x), lr.y.push_back(e.lr);
      seconds_at[e.step] = t;
    }
  }
  ChartSeries vloss = series("valid", kValidColor, true), vloss_t = vloss, vacc = vloss;
  for (const auto& e : d.epochs) {
    const auto x = static_cast<double>(e.step);
    vloss.x.push_back(x), vloss.y.push_back(e.val_loss);
    vacc.x.push_back(x), vacc.y.push_back(e.val_accuracy);
    const auto it = seconds_at.find(e.step);
    // LM and seq2seq metrics.jsonl lines have the run's elapsed seconds themselves.
    vloss_t.x.push_back(it != seconds_at.end() ? it->second
                        : (d.lm || d.seq2seq)  ? e.seconds
                                               : std::nan(""));
    vloss_t.y.push_back(e.val_loss);
  }
  auto chart = [](std::string id, std::string title, std::string xl, std::string yl,
                  std::vector<ChartSeries> s) {
    ReportChart c;
    c.id = std::move(id);
    c.chart.title = std::move(title);
    c.chart.x_label = std::move(xl);
    c.chart.y_label = std::move(yl);
    c.chart.series = std::move(s);
    return c;
  };
  if (d.lm) {  // no accuracy; bits per character is the LM's headline number
    ChartSeries bpc = series("valid", kValidColor, true), bpc_t = bpc;
    for (std::size_t i = 0; i < d.epochs.size(); ++i) {
      bpc.x.push_back(vloss.x[i]), bpc.y.push_back(d.epochs[i].val_bpc);
      bpc_t.x.push_back(vloss_t.x[i]), bpc_t.y.push_back(d.epochs[i].val_bpc);
    }
    return {chart("loss-step", "Loss (nats per token)", "step", "loss", {loss, vloss}),
            chart("loss-time", "Loss over wall time", "seconds", "loss", {loss_t, vloss_t}),
            chart("bpc-step", "Validation bits per character", "step", "bits/char", {bpc}),
            chart("bpc-time", "Validation bits per character over wall time", "seconds",
                  "bits/char", {bpc_t}),
            chart("lr-step", "Learning rate", "step", "learning rate", {lr}),
            chart("tokens-step", "Throughput", "step", "tokens / s", {tps})};
  }
  if (d.seq2seq)  // token accuracy is not logged; the metrics come from decoding
    return {
        chart("loss-step", "Loss (nats per target token; train is label-smoothed)", "step", "loss",
              {loss, vloss}),
        chart("loss-time", "Loss over wall time", "seconds", "loss", {loss_t, vloss_t}),
        chart("lr-step", "Learning rate", "step", "learning rate", {lr}),
        chart("tokens-step", "Throughput (source + target tokens)", "step", "tokens / s", {tps})};
  return {chart("loss-step", "Loss", "step", "loss", {loss, vloss}),
          chart("loss-time", "Loss over wall time", "seconds", "loss", {loss_t, vloss_t}),
          chart("accuracy-step", "Accuracy", "step", "accuracy", {acc, vacc}),
          chart("lr-step", "Learning rate", "step", "learning rate", {lr}),
          chart("tokens-step", "Throughput", "step", "tokens / s", {tps})};
}

std::string training_report_html(const models::ReportData& d) {
  for (const auto& a : d.attention) a.capture.validate();
  HtmlPage page;
  page.title = "training report: " + d.run;
  page.css = std::string(kAttentionCss) + kReportCss;
  std::string& b = page.body;
  b = "<h1>" + html_escape(page.title) + "</h1>\n" + meta_line(d);
  const char* epochs = d.lm || d.seq2seq ? "Validations" : "Epochs";
  const char* evaluation = d.lm        ? "Evaluation and samples"
                           : d.seq2seq ? "Evaluation and sample outputs"
                                       : "Evaluation";
  b += fmt::format(
      "<nav><a href=\"#model\">Model</a> <a href=\"#curves\">Curves</a> <a href=\"#epochs\">{}"
      "</a> <a href=\"#evaluation\">{}</a> <a href=\"#attention\">Attention</a> "
      "<a href=\"#config\">Config</a></nav>\n",
      epochs, evaluation);
  b += "<section id=\"model\"><h2>Model</h2>\n" + summary_section(d) + "</section>\n";
  b += "<section id=\"curves\"><h2>Training curves</h2>\n";
  if (d.steps.empty())
    b += "<p class=\"hint\">No steps.jsonl in this run: the train curves have one point per "
         "epoch.</p>\n";
  b += "<div class=\"charts\">\n";
  for (const auto& c : report_charts(d))
    b += "<figure class=\"chart-box\" data-chart=\"" + c.id + "\">" + svg_line_chart(c.chart) +
         "</figure>\n";
  b += "</div></section>\n";
  b += fmt::format("<section id=\"epochs\"><h2>{}</h2>\n{}</section>\n", epochs,
                   d.lm        ? lm_validations_table(d)
                   : d.seq2seq ? seq2seq_validations_table(d)
                               : epochs_section(d));
  b += fmt::format("<section id=\"evaluation\"><h2>{}</h2>\n{}</section>\n", evaluation,
                   d.lm        ? lm_evaluation_section(d)
                   : d.seq2seq ? seq2seq_evaluation_section(d)
                               : evaluation_section(d));
  b += "<section id=\"attention\"><h2>Attention</h2>\n";
  if (d.attention.empty()) b += "<p class=\"hint\">No attention views in this report.</p>\n";
  for (std::size_t i = 0; i < d.attention.size(); ++i) {
    const std::string id = fmt::format("attn-data-{}", i);
    b += fmt::format("<div class=\"attn-view\" data-src=\"{}\"><h3>{}</h3>\n{}</div>\n", id,
                     html_escape(d.attention[i].caption), attention_view_markup());
    page.data.emplace_back(id, attention_json(d.attention[i].capture));
  }
  b += "</section>\n";
  b += "<section id=\"config\"><h2>Config</h2>\n<pre class=\"config\">" +
       html_escape(d.config_json) + "</pre></section>\n";
  page.script = std::string(kAttentionViewJs) + kReportJs;
  return render_page(page);
}

void write_training_report(const models::ReportData& d, const std::filesystem::path& file) {
  write_file_atomic(file, training_report_html(d));
}

}  // namespace attn::viz
