#include "attn/train/lm_attention_capture.h"

#include <algorithm>

#include "attn/core/thread_pool.h"
#include "attn/generate/generator.h"
#include "attn/train/attention_capture.h"

namespace attn::train {

models::AttentionCapture capture_lm_attention(const LoadedLm& lm, const std::string& title,
                                              const std::string& prompt,
                                              std::int64_t max_new_tokens) {
  ATTN_CHECK(max_new_tokens >= 0, "max_new_tokens must be >= 0, got {}", max_new_tokens);
  const Tokenizer& tok = *lm.tokenizer;
  const std::int64_t view = std::min(lm.cfg.model.block_size, kMaxViewTokens);

  // The context the model sees: the prompt's ids, or the start token for an empty
  // prompt; a prompt longer than the view keeps its end, which the next token
  // depends on most.
  std::vector<std::int32_t> ids = tok.encode(prompt);
  const std::size_t prompt_tokens = ids.size();
  if (ids.empty()) ids.push_back(lm_start_token(tok));
  const std::int64_t keep_prompt = std::max<std::int64_t>(1, view - max_new_tokens);
  models::AttentionCapture cap;
  if (static_cast<std::int64_t>(ids.size()) > keep_prompt) {
    ids.erase(ids.begin(), ids.end() - keep_prompt);
    cap.note = fmt::format(
        "The prompt has {} tokens; the view shows its last {} so that prompt and continuation fit "
        "{} tokens.",
        prompt_tokens, keep_prompt, view);
  }

  generate::GenerateOptions g;
  g.max_new_tokens = std::min<std::int64_t>(max_new_tokens, view - ids.size());
  g.sampling.temperature = 0;  // greedy: the view is reproducible
  g.bos_id = lm_start_token(tok);
  g.sample_vocab = tok.vocab_size();
  const std::vector<std::int32_t> generated = generate::generate(*lm.model, {ids}, g)[0];

  cap.title = title;
  cap.generated_text = tok.decode(generated);
  cap.prediction_title = fmt::format("greedy continuation ({} tokens)", generated.size());
  std::vector<std::int32_t> all = ids;
  all.insert(all.end(), generated.begin(), generated.end());
  models::TokenSequence seq{"text", {}};
  for (std::int32_t id : all) seq.tokens.push_back(tok.token(id));
  cap.sequences.push_back(std::move(seq));

  const auto t = static_cast<std::int64_t>(all.size());
  std::vector<Tensor> attention;
  Context ctx;  // no tape: inference, dropout off
  lm.model->forward(ctx, all, 1, t, &attention);
  for (std::size_t l = 0; l < attention.size(); ++l) {
    const Tensor& a = attention[l];  // [1, H, T, T], causal: zero above the diagonal
    models::AttentionMap m;
    m.layer = static_cast<int>(l);
    m.name = fmt::format("layer {} causal self", l);
    m.weights = a.reshape({a.dim(1), a.dim(2), a.dim(3)});
    cap.maps.push_back(std::move(m));
  }
  cap.validate();
  return cap;
}

models::AttentionCapture capture_lm_attention(const std::filesystem::path& run,
                                              const std::string& prompt,
                                              std::int64_t max_new_tokens, int threads) {
  ThreadPool::set_num_threads(threads > 0 ? threads : ThreadPool::default_threads());
  const LoadedLm lm = open_lm_run(run);
  return capture_lm_attention(lm, fmt::format("{}: {} (decoder LM)", run.string(), lm.cfg.name),
                              prompt, max_new_tokens);
}

}  // namespace attn::train
