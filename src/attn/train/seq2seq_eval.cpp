#include "attn/train/seq2seq_eval.h"

#include <cmath>
#include <unordered_map>

#include "attn/eval/bleu.h"
#include "attn/eval/chrf.h"
#include "attn/eval/error_rate.h"

namespace attn::train {

ReferenceSet group_references(const std::vector<ParallelPair>& pairs) {
  ReferenceSet r;
  std::unordered_map<std::string, std::size_t> index;
  for (const auto& p : pairs) {
    const auto [it, fresh] = index.emplace(p.source, r.sources.size());
    if (fresh) {
      r.sources.push_back(p.source);
      r.references.emplace_back();
    }
    r.references[it->second].push_back(p.target);
  }
  return r;
}

generate::TranslateOptions translate_options(const LoadedSeq2Seq& run) {
  const DecodingConfig& d = run.cfg.decoding;
  generate::TranslateOptions o;
  o.beam = static_cast<int>(d.beam);
  o.length_penalty = d.length_penalty;
  o.max_len_a = d.max_len_a;
  o.max_len_b = d.max_len_b;
  o.batch_size = d.batch_size;
  o.bos_id = run.vocab.bos();
  o.eos_id = run.vocab.eos();
  o.never_emit = {Tokenizer::kPadId, run.vocab.bos()};  // never a training label
  return o;
}

std::vector<std::string> translate_texts(const LoadedSeq2Seq& run,
                                         const std::vector<std::string>& sources,
                                         const generate::TranslateOptions& opt) {
  std::vector<std::vector<std::int32_t>> ids;
  ids.reserve(sources.size());
  for (const auto& s : sources) ids.push_back(run.vocab.encode_source(s, run.cfg.model.max_len));
  const auto hyps = generate::translate(*run.model, ids, opt);
  std::vector<std::string> out;
  out.reserve(hyps.size());
  for (const auto& h : hyps) out.push_back(h.empty() ? "" : run.vocab.decode_target(h[0].tokens));
  return out;
}

nlohmann::json Seq2SeqEvalReport::to_json() const {
  nlohmann::json j{{"loss", loss},           {"perplexity", perplexity},       {"pairs", pairs},
                   {"sentences", sentences}, {"target_tokens", target_tokens}, {"beam", beam}};
  for (const auto& [name, score] : metrics) j[name] = score;
  for (const auto& [name, line] : details) j[name + "_detail"] = line;
  return j;
}

Seq2SeqEvalReport evaluate_seq2seq(const LoadedSeq2Seq& run, const std::vector<ParallelPair>& pairs,
                                   const generate::TranslateOptions& opt,
                                   const std::vector<std::string>& metrics) {
  ATTN_CHECK(!pairs.empty(), "evaluate: no pairs to score");
  Seq2SeqEvalReport r;
  r.pairs = static_cast<std::int64_t>(pairs.size());
  r.beam = opt.beam;
  PairSet set;
  for (const auto& p : pairs) {
    set.source.push_back(run.vocab.encode_source(p.source, run.cfg.model.max_len));
    set.target.push_back(run.vocab.encode_target(p.target));
    r.target_tokens += static_cast<std::int64_t>(set.target.back().size()) + 1;
  }
  r.loss = seq2seq_loss(*run.model, set, run.vocab, run.cfg.training.max_tokens);
  r.perplexity = std::exp(r.loss);

  r.references = group_references(pairs);
  r.sentences = static_cast<std::int64_t>(r.references.sources.size());
  r.hypotheses = translate_texts(run, r.references.sources, opt);
  // Reference streams [R][N]; a sentence with fewer references repeats its first, which
  // changes none of the metrics (clipping, closest length and best reference are the same).
  std::size_t streams = 1;
  for (const auto& refs : r.references.references) streams = std::max(streams, refs.size());
  std::vector<std::vector<std::string>> refs(streams);
  for (const auto& sentence : r.references.references)
    for (std::size_t k = 0; k < streams; ++k)
      refs[k].push_back(k < sentence.size() ? sentence[k] : sentence[0]);
  for (const auto& m : metrics.empty() ? run.cfg.metrics : metrics) {
    if (m == "bleu") {
      const BleuScore s = corpus_bleu(r.hypotheses, refs);
      r.metrics[m] = s.score;
      r.details[m] = s.format();
    } else if (m == "chrf") {
      const ChrfScore s = corpus_chrf(r.hypotheses, refs);
      r.metrics[m] = s.score;
      r.details[m] = s.format();
    } else if (m == "wer") {
      r.metrics[m] = sequence_error_rate(r.hypotheses, refs).score;
    } else if (m == "per") {
      r.metrics[m] = token_error_rate(r.hypotheses, refs).score;
    } else {
      fail("evaluate: unknown metric \"{}\" (expected bleu, chrf, wer or per)", m);
    }
  }
  return r;
}

}  // namespace attn::train
