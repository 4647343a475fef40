#pragma once
// Scoring a trained encoder-decoder on parallel text: the library side of `attn evaluate`
// for seq2seq runs and of the end-of-training summary.
//   loss / perplexity: teacher-forced cross-entropy per target token (EOS included)
//   bleu, chrf: corpus BLEU and chrF (sacreBLEU's defaults, eval/bleu.h, eval/chrf.h)
//   wer, per:   sentence error rate and pooled token edit distance to the closest
//               reference (eval/error_rate.h): the G2P word and phoneme error rates
// Lines with the same source are one sentence with several references (CMUdict words with
// more than one pronunciation); the hypotheses come from generate::translate.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "attn/data/parallel_text.h"
#include "attn/generate/beam_search.h"
#include "attn/train/seq2seq_run.h"

namespace attn::train {

// Sources (each once, in first-appearance order) and their references.
struct ReferenceSet {
  std::vector<std::string> sources;
  std::vector<std::vector<std::string>> references;  // [N][>= 1]
};
ReferenceSet group_references(const std::vector<ParallelPair>& pairs);

// The run's decoding settings (config "decoding") as translate options.
generate::TranslateOptions translate_options(const LoadedSeq2Seq& run);

// Decodes `sources` (text) and returns the best hypothesis text per source, in order.
std::vector<std::string> translate_texts(const LoadedSeq2Seq& run,
                                         const std::vector<std::string>& sources,
                                         const generate::TranslateOptions& opt);

struct Seq2SeqEvalReport {
  double loss = 0, perplexity = 0;
  std::int64_t pairs = 0, sentences = 0, target_tokens = 0;
  std::int64_t beam = 1;
  std::map<std::string, double> metrics;       // name -> score (0..100)
  std::map<std::string, std::string> details;  // name -> sacreBLEU-style line
  std::vector<std::string> hypotheses;         // [sentences], in source order
  ReferenceSet references;
  nlohmann::json to_json() const;  // everything but the texts
};

// `metrics` empty = the run's configured metrics.
Seq2SeqEvalReport evaluate_seq2seq(const LoadedSeq2Seq& run, const std::vector<ParallelPair>& pairs,
                                   const generate::TranslateOptions& opt,
                                   const std::vector<std::string>& metrics = {});

}  // namespace attn::train
