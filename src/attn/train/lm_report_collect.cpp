#include "attn/train/lm_report_collect.h"

#include <fstream>

#include "attn/generate/text_generation.h"
#include "attn/train/lm_attention_capture.h"
#include "attn/train/lm_run.h"
#include "attn/train/report_collect.h"

namespace attn::train {

namespace fs = std::filesystem;

namespace {

// The first `words` words of the first non-blank lines of a text file: prompts
// that look like the data, so the samples show whether the model continues it.
std::vector<std::string> prompts_from(const fs::path& data, std::size_t lines, int words) {
  std::vector<std::string> out;
  std::ifstream in(data);
  for (std::string line; out.size() < lines && std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF files
    std::string prompt;
    int n = 0;
    for (std::size_t i = 0; i < line.size() && n < words; ++i) {
      if (line[i] == ' ' && !prompt.empty() && prompt.back() != ' ') ++n;
      if (n < words) prompt += line[i];
    }
    if (prompt.find_first_not_of(" \t\r") != std::string::npos) out.push_back(prompt + " ");
  }
  return out;
}

}  // namespace

models::ReportData collect_lm_report(const fs::path& run, const fs::path& data, int threads,
                                     std::ostream& log) {
  begin_report(run, threads);
  const LoadedLm lm = open_lm_run(run);
  models::ReportData d = read_run_logs(run, "decoder LM", lm.cfg.name, lm.model->layer_rows());
  for (const auto& e : d.epochs)
    if (e.best) d.best_epoch = e.step;

  models::LmSection sec;
  if (data.empty()) {
    d.missing_data_note =
        "No text file was given: run `attn report --run RUN --data FILE` for bits per character "
        "on it.";
  } else {
    const LmEvalReport ev = evaluate_lm(run, data, threads, log);
    sec.data_file = data.string();
    sec.loss = ev.loss;
    sec.perplexity = ev.perplexity;
    sec.bits_per_char = ev.bits_per_char;
    sec.tokens = ev.tokens;
    sec.characters = ev.characters;
    sec.window = ev.window;
    sec.stride = ev.stride;
  }

  std::vector<std::string> prompts{""};
  if (!data.empty())
    for (auto& p : prompts_from(data, models::kLmSamples - 1, 3)) prompts.push_back(std::move(p));
  prompts.resize(models::kLmSamples);  // without data: more samples from the start token
  generate::TextGenerateOptions opt;
  auto& g = opt.generate;
  g.max_new_tokens = 160;
  g.sampling.temperature = 0.8f;
  g.sampling.seed = 1;
  g.bos_id = lm_start_token(*lm.tokenizer);
  g.sample_vocab = lm.tokenizer->vocab_size();
  g.overflow = generate::ContextOverflow::slide;  // a sample may outgrow a small context
  sec.sampling =
      "temperature 0.8, seed 1, at most 160 tokens, continued past the context "
      "with a sliding window";
  const auto texts = generate::generate_text(*lm.model, *lm.tokenizer, prompts, opt);
  for (std::size_t i = 0; i < prompts.size(); ++i) sec.samples.push_back({prompts[i], texts[i]});

  for (std::size_t i = 0; i < std::min<std::size_t>(2, prompts.size()); ++i) {
    if (i > 0 && prompts[i] == prompts[0]) break;  // the same greedy view twice says nothing new
    const std::string from = prompts[i].empty() ? "the start token" : "\"" + prompts[i] + "\"";
    d.attention.push_back(
        {"Greedy continuation of " + from,
         capture_lm_attention(lm, fmt::format("{}: {} (decoder LM)", run.string(), lm.cfg.name),
                              prompts[i], 48)});
  }
  d.lm = std::move(sec);
  return d;
}

}  // namespace attn::train
