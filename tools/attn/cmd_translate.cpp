#include <fstream>
#include <iostream>

#include "attn/core/thread_pool.h"
#include "attn/data/utf8.h"
#include "attn/train/seq2seq_eval.h"
#include "commands.h"

namespace attn::cli {

namespace {

struct TranslateArgs {
  std::filesystem::path checkpoint;
  std::string input = "-";
  int beam = 0;  // 0 = the run's decoding.beam
  float length_penalty = -1, max_len_a = -1, max_len_b = -1;
  int nbest = 1;
  std::int64_t batch_size = 0;
  int threads = 0;
  bool lowercase = false;  // attn g2p: CMUdict words are lower case in the model
};

// One source per line; a line with a TAB is a parallel pair and only its source is used,
// so a test TSV can be fed as it is. Errors name the input and the line.
std::vector<std::string> read_sources(const std::string& input, bool lowercase) {
  std::ifstream file;
  if (input != "-") {
    file.open(input, std::ios::binary);
    ATTN_CHECK(file.good(), "{}: cannot open the input file", input);
  }
  std::istream& in = input == "-" ? std::cin : file;
  const std::string name = input == "-" ? "<stdin>" : input;
  std::vector<std::string> sources;
  std::string line;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (const auto tab = line.find('\t'); tab != std::string::npos) line.resize(tab);
    ATTN_CHECK(is_valid_utf8(line), "{}:{}: the line is not valid UTF-8", name, n);
    ATTN_CHECK(!line.empty(), "{}:{}: empty source line (every line is translated)", name, n);
    if (lowercase)
      for (char& c : line)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    sources.push_back(line);
  }
  return sources;
}

int run_translate(const TranslateArgs& a) {
  ThreadPool::set_num_threads(a.threads > 0 ? a.threads : ThreadPool::default_threads());
  ATTN_CHECK(train::is_seq2seq_run(a.checkpoint),
             "{}: not an encoder-decoder run (its config.json has no model.type \"seq2seq\")",
             a.checkpoint.string());
  const train::LoadedSeq2Seq run = train::open_seq2seq_run(a.checkpoint);
  generate::TranslateOptions opt = train::translate_options(run);
  if (a.beam > 0) opt.beam = a.beam;
  if (a.length_penalty >= 0) opt.length_penalty = a.length_penalty;
  if (a.max_len_a >= 0) opt.max_len_a = a.max_len_a;
  if (a.max_len_b >= 0) opt.max_len_b = a.max_len_b;
  if (a.batch_size > 0) opt.batch_size = a.batch_size;
  ATTN_CHECK(a.nbest <= opt.beam, "--nbest {} exceeds the beam size {}", a.nbest, opt.beam);
  opt.nbest = a.nbest;
  const std::vector<std::string> sources = read_sources(a.input, a.lowercase);
  std::vector<std::vector<std::int32_t>> ids;
  ids.reserve(sources.size());
  for (const auto& s : sources) ids.push_back(run.vocab.encode_source(s, run.cfg.model.max_len));
  const auto hyps = generate::translate(*run.model, ids, opt);
  for (std::size_t i = 0; i < hyps.size(); ++i) {
    if (a.nbest == 1) {
      fmt::print("{}\n", hyps[i].empty() ? "" : run.vocab.decode_target(hyps[i][0].tokens));
      continue;
    }
    for (std::size_t k = 0; k < hyps[i].size(); ++k)
      fmt::print("{}\t{}\t{:.4f}\t{}\n", i + 1, k + 1, hyps[i][k].score,
                 run.vocab.decode_target(hyps[i][k].tokens));
  }
  return 0;
}

void add_translate_command(CLI::App& app, Action& run, const char* name, const char* help,
                           bool lowercase) {
  auto* cmd = app.add_subcommand(name, help);
  auto a = std::make_shared<TranslateArgs>();
  a->lowercase = lowercase;
  cmd->add_option("--checkpoint", a->checkpoint, "run directory written by `attn train`")
      ->required();
  cmd->add_option("--input", a->input,
                  "one source per line (default - = stdin); a TAB ends the source, so a "
                  "parallel TSV works as it is");
  cmd->add_option("--beam", a->beam, "beam size (1 = greedy; default: the run's decoding.beam)")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--length-penalty", a->length_penalty,
                  "GNMT length penalty alpha: score = log P / ((5 + |Y|) / 6)^alpha")
      ->check(CLI::Range(0.0, 10.0));
  cmd->add_option("--max-len-a", a->max_len_a, "at most a * source length + b target tokens")
      ->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--max-len-b", a->max_len_b, "see --max-len-a")->check(CLI::Range(0.0, 1e6));
  cmd->add_option("--nbest", a->nbest,
                  "hypotheses per input; > 1 prints INDEX<TAB>RANK<TAB>SCORE<TAB>TEXT lines")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--batch-size", a->batch_size, "sentences decoded together")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--threads", a->threads, "threads (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([&run, a] { run = [a] { return run_translate(*a); }; });
}

}  // namespace

void add_translate(CLI::App& app, Action& run) {
  add_translate_command(app, run, "translate",
                        "translate (or convert) one source per line with an encoder-decoder run",
                        false);
  add_translate_command(app, run, "g2p",
                        "pronounce words (one per line, any case) with a grapheme-to-phoneme run",
                        true);
}

}  // namespace attn::cli
