#include "attn/train/seq2seq_attention_capture.h"

#include "attn/core/thread_pool.h"
#include "attn/train/seq2seq_eval.h"

namespace attn::train {

namespace {

// [1, H, Tq, Tk] -> a map of [H, Tq, Tk].
models::AttentionMap map_of(const Tensor& a, int layer, const char* kind, const char* label,
                            int query_seq, int key_seq) {
  models::AttentionMap m;
  m.layer = layer;
  m.kind = kind;
  m.name = fmt::format("layer {} {}", layer, label);
  m.query_seq = query_seq;
  m.key_seq = key_seq;
  m.weights = a.reshape({a.dim(1), a.dim(2), a.dim(3)});
  return m;
}

}  // namespace

models::AttentionCapture capture_seq2seq_attention(const LoadedSeq2Seq& run,
                                                   const std::string& title,
                                                   const std::string& source,
                                                   const generate::TranslateOptions& opt) {
  const Seq2SeqVocab& v = run.vocab;
  const std::int64_t max_len = run.cfg.model.max_len;
  const std::vector<std::int32_t> src = v.encode_source(source, max_len);
  models::AttentionCapture cap;
  cap.title = title;
  if (const std::size_t tokens = v.source->encode(source).size(); tokens + 1 > src.size())
    cap.note = fmt::format(
        "The source has {} tokens; the model reads its first {} (model.max_len {} with EOS).",
        tokens, src.size() - 1, max_len);
  generate::TranslateOptions one = opt;
  one.nbest = 1;
  const auto hyps = generate::translate(*run.model, {src}, one);
  const std::vector<std::int32_t> out =
      hyps.at(0).empty() ? std::vector<std::int32_t>{} : hyps[0][0].tokens;
  cap.generated_text = v.decode_target(out);
  cap.prediction_title = fmt::format(
      "{} ({} tokens)", one.beam > 1 ? fmt::format("beam {}", one.beam) : "greedy", out.size());

  models::TokenSequence src_seq{"source", {}};
  for (std::int32_t id : src)
    src_seq.tokens.push_back(id == v.source_eos() ? "</s>" : v.source->token(id));
  std::vector<std::int32_t> dec{v.bos()};
  dec.insert(dec.end(), out.begin(), out.end());
  if (static_cast<std::int64_t>(dec.size()) > max_len)
    dec.resize(static_cast<std::size_t>(max_len));
  models::TokenSequence dec_seq{"output", {}};
  for (std::int32_t id : dec) dec_seq.tokens.push_back(id == v.bos() ? "<s>" : v.target->token(id));
  cap.sequences = {std::move(src_seq), std::move(dec_seq)};

  std::vector<Tensor> enc_self, dec_self, cross;
  Context ctx;  // no tape: inference, dropout off
  const auto s = static_cast<std::int64_t>(src.size()), t = static_cast<std::int64_t>(dec.size());
  const Variable memory = run.model->encode(ctx, src, 1, s, Tensor(), &enc_self);
  run.model->decode(ctx, memory, Tensor(), dec, t, &dec_self, &cross);
  for (std::size_t l = 0; l < enc_self.size(); ++l)
    cap.maps.push_back(map_of(enc_self[l], static_cast<int>(l), "self", "encoder self", 0, 0));
  for (std::size_t l = 0; l < dec_self.size(); ++l)
    cap.maps.push_back(map_of(dec_self[l], static_cast<int>(l), "self", "decoder self", 1, 1));
  for (std::size_t l = 0; l < cross.size(); ++l)
    cap.maps.push_back(map_of(cross[l], static_cast<int>(l), "cross", "cross", 1, 0));
  cap.validate();
  return cap;
}

models::AttentionCapture capture_seq2seq_attention(const std::filesystem::path& run,
                                                   const std::string& source, int threads) {
  ThreadPool::set_num_threads(threads > 0 ? threads : ThreadPool::default_threads());
  const LoadedSeq2Seq loaded = open_seq2seq_run(run);
  return capture_seq2seq_attention(
      loaded, fmt::format("{}: {} (encoder-decoder)", run.string(), loaded.cfg.name), source,
      translate_options(loaded));
}

}  // namespace attn::train
