#include "attn/train/seq2seq_report_collect.h"

#include <algorithm>
#include <ostream>

#include "attn/train/report_collect.h"
#include "attn/train/seq2seq_attention_capture.h"
#include "attn/train/seq2seq_eval.h"

namespace attn::train {

namespace {

std::string metric_label(const std::string& name) {
  if (name == "chrf") return "chrF2";
  std::string up = name;
  for (char& c : up) c = static_cast<char>(c - 'a' + 'A');
  return up;
}

}  // namespace

models::ReportData collect_seq2seq_report(const std::filesystem::path& run,
                                          const std::filesystem::path& data, int threads,
                                          std::ostream& log) {
  begin_report(run, threads);
  const LoadedSeq2Seq s2s = open_seq2seq_run(run);
  models::ReportData d =
      read_run_logs(run, "encoder-decoder", s2s.cfg.name, s2s.model->layer_rows());
  for (const auto& e : d.epochs)
    if (e.best) d.best_epoch = e.step;
  models::Seq2SeqSection sec;
  const generate::TranslateOptions opt = translate_options(s2s);
  if (data.empty()) {
    d.missing_data_note =
        "No data file was given: run `attn report --run RUN --data FILE.tsv` for the metrics "
        "and sample outputs.";
    d.seq2seq = std::move(sec);
    return d;
  }
  log << fmt::format("report: decoding {} (beam {})\n", data.string(), opt.beam);
  const Seq2SeqEvalReport ev = evaluate_seq2seq(s2s, read_parallel_tsv(data), opt);
  sec.data_file = data.string();
  sec.pairs = ev.pairs;
  sec.sentences = ev.sentences;
  sec.beam = ev.beam;
  sec.loss = ev.loss;
  sec.perplexity = ev.perplexity;
  for (const auto& [name, score] : ev.metrics) {
    sec.metrics.emplace_back(metric_label(name), score);
    if (const auto it = ev.details.find(name); it != ev.details.end())
      sec.metric_details.push_back(it->second);
  }
  const std::size_t n = std::min(models::kSeq2SeqSamples, ev.hypotheses.size());
  for (std::size_t i = 0; i < n; ++i) {
    models::Seq2SeqSample sample;
    sample.source = text_excerpt(ev.references.sources[i], models::kExcerptChars);
    sample.output = text_excerpt(ev.hypotheses[i], models::kExcerptChars);
    for (const auto& ref : ev.references.references[i]) {
      sample.references.push_back(text_excerpt(ref, models::kExcerptChars));
      sample.exact = sample.exact || ref == ev.hypotheses[i];
    }
    sec.samples.push_back(std::move(sample));
  }
  for (std::size_t i = 0; i < std::min<std::size_t>(2, n); ++i)
    d.attention.push_back(
        {fmt::format("Sentence {} of {}, decoded with beam {}", i + 1, data.filename().string(),
                     opt.beam),
         capture_seq2seq_attention(
             s2s, fmt::format("{}: {} (encoder-decoder)", run.string(), s2s.cfg.name),
             ev.references.sources[i], opt)});
  d.seq2seq = std::move(sec);
  return d;
}

}  // namespace attn::train
