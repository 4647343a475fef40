#pragma once
// The training report: one self-contained HTML file (inline CSS, SVG charts,
// JS and data; nothing fetched) with the model summary, loss / accuracy /
// learning-rate / throughput curves, the per-epoch table, the evaluation
// (confusion matrix, worst-classified examples), two attention views and the
// config. Drawn from models::ReportData only (train/report_collect.h fills it).
#include <filesystem>
#include <string>
#include <vector>

#include "attn/models/report_data.h"
#include "attn/viz/svg_chart.h"

namespace attn::viz {

struct ReportChart {
  std::string id;  // data-chart attribute of its <figure>
  LineChart chart;
};

// loss-step, loss-time, accuracy-step, lr-step, tokens-step: the train series
// come from steps.jsonl (metrics.jsonl's per-epoch values for runs without
// it), the valid series from metrics.jsonl.
std::vector<ReportChart> report_charts(const models::ReportData& d);

// The whole page. The page script sets body data-views (attention views
// built), data-heads (their head thumbnails) and data-ready="1".
std::string training_report_html(const models::ReportData& d);

// Writes training_report_html(d) to `file` atomically; throws attn::Error
// naming the file when it cannot be written.
void write_training_report(const models::ReportData& d, const std::filesystem::path& file);

}  // namespace attn::viz
