// Scoring a token stream with a DecoderLM (sliding windows) and `attn evaluate`
// for language-model runs; declared in lm_run.h.
#include <cmath>
#include <ostream>

#include "attn/core/thread_pool.h"
#include "attn/data/utf8.h"
#include "attn/eval/sliding_window.h"
#include "attn/io/atomic_file.h"
#include "attn/io/json_reader.h"
#include "attn/train/checkpoint.h"
#include "attn/train/lm_run.h"
#include "attn/train/step_guard.h"

namespace attn::train {

namespace fs = std::filesystem;

namespace {
// Window w's length() inputs at ids and its targets at targets, -1 (ignored) before
// w.first_scored; returns how many targets it scores.
std::int64_t fill_window(const std::vector<std::int32_t>& stream, const ScoreWindow& w,
                         std::int32_t* ids, std::int32_t* targets) {
  std::int64_t scored = 0;
  for (std::int64_t t = 0; t < w.length(); ++t) {
    ids[t] = stream[static_cast<std::size_t>(w.begin + t)];
    const std::int64_t target = w.begin + t + 1;  // position in the stream
    targets[t] = target >= w.first_scored ? stream[static_cast<std::size_t>(target)] : -1;
    scored += target >= w.first_scored ? 1 : 0;
  }
  return scored;
}
}  // namespace

// stream [n+1] -> nats of targets 1..n. Windows of equal length are batched;
// positions a window does not score get the ignore index -1.
LmScore score_stream(const models::DecoderLM& model, const std::vector<std::int32_t>& stream,
                     std::int64_t stride, std::int64_t batch_size) {
  const std::int64_t n = static_cast<std::int64_t>(stream.size()) - 1;
  LmScore score;
  if (n <= 0) return score;
  const auto windows = sliding_windows(n, model.config().block_size, stride);
  std::size_t i = 0;
  while (i < windows.size()) {
    const std::int64_t T = windows[i].length();
    std::size_t j = i;
    while (j < windows.size() && windows[j].length() == T &&
           static_cast<std::int64_t>(j - i) < batch_size)
      ++j;
    const auto B = static_cast<std::int64_t>(j - i);
    std::vector<std::int32_t> ids(static_cast<std::size_t>(B * T));
    std::vector<std::int32_t> targets(ids.size());
    std::int64_t scored = 0;
    for (std::int64_t b = 0; b < B; ++b)
      scored += fill_window(stream, windows[i + static_cast<std::size_t>(b)], ids.data() + b * T,
                            targets.data() + b * T);
    Context ctx{nullptr, false, nullptr};
    const Variable logits = model.forward(ctx, ids, B, T);
    const Variable loss = model.loss(ctx, logits, targets, -1);
    score.nats += static_cast<double>(loss.value().data()[0]) * static_cast<double>(scored);
    score.tokens += scored;
    i = j;
  }
  return score;
}

LmScore score_stream_dynamic(models::DecoderLM& model, const std::vector<std::int32_t>& stream,
                             std::int64_t stride, float lr) {
  ATTN_CHECK(std::isfinite(lr) && lr > 0.0f,
             "dynamic evaluation: the learning rate must be a number > 0, got {}", lr);
  const std::int64_t n = static_cast<std::int64_t>(stream.size()) - 1;
  LmScore score;
  if (n <= 0) return score;
  const auto sgd = make_optimizer(OptimizerSettings{.kind = "sgd", .lr = lr}, model);
  std::vector<std::int32_t> ids, targets;
  const auto windows = sliding_windows(n, model.config().block_size, stride);
  for (std::size_t i = 0; i < windows.size(); ++i) {
    const ScoreWindow& w = windows[i];
    const std::int64_t T = w.length();
    ids.resize(static_cast<std::size_t>(T));
    targets.resize(ids.size());
    const std::int64_t scored = fill_window(stream, w, ids.data(), targets.data());
    Tape tape;
    Context ctx{&tape, false, nullptr};  // no dropout: the scores are the model's own
    const Variable logits = model.forward(ctx, ids, 1, T);
    const Variable loss = model.loss(ctx, logits, targets, -1);
    const float value = loss.value().data()[0];
    ATTN_CHECK(std::isfinite(value),
               "dynamic evaluation diverged at window {} of {} (loss {}): lower --dynamic-lr ({})",
               i + 1, windows.size(), value, lr);
    score.nats += static_cast<double>(value) * static_cast<double>(scored);
    score.tokens += scored;
    if (i + 1 == windows.size()) break;  // nothing is left to score with what it would learn
    tape.backward(loss);                 // only after the window's targets are scored
    sgd->step();
    sgd->zero_grad();
  }
  return score;
}

std::int32_t lm_start_token(const Tokenizer& tok) {
  const std::vector<std::int32_t> ids = tok.encode("\n");
  return ids.size() == 1 ? ids.front() : Tokenizer::kUnkId;
}

nlohmann::json LmEvalReport::to_json() const {
  nlohmann::json j{{"loss", loss},     {"perplexity", perplexity}, {"bits_per_char", bits_per_char},
                   {"tokens", tokens}, {"characters", characters}, {"window", window},
                   {"stride", stride}, {"unknown", unknown}};
  if (dynamic_lr > 0) j["dynamic_lr"] = dynamic_lr;
  return j;
}

bool is_lm_config_file(const fs::path& file) {
  return fs::exists(file) && is_decoder_lm_config(read_json_file(file));
}

bool is_lm_run(const fs::path& run) { return is_lm_config_file(run / "config.json"); }

LoadedLm open_lm_run(const fs::path& run) {
  const fs::path config_file = run / "config.json";
  ATTN_CHECK(fs::exists(config_file), "{}: not a checkpoint directory ({} is missing)",
             run.string(), config_file.string());
  LmRunConfig cfg = load_lm_run_config(config_file);
  auto tok = Tokenizer::from_json(read_json_file(run / "tokenizer.json"));
  auto model = std::make_unique<models::DecoderLM>(cfg.model, cfg.training.seed);
  load_weights(run / "model.safetensors", *model);
  return LoadedLm{std::move(cfg), std::move(tok), std::move(model)};
}

LmEvalReport evaluate_lm(const fs::path& run, const fs::path& text_file, int threads,
                         std::ostream& log, double dynamic_lr) {
  ThreadPool::set_num_threads(threads > 0 ? threads : ThreadPool::default_threads());
  const LoadedLm lm = open_lm_run(run);
  const LmRunConfig& cfg = lm.cfg;
  const Tokenizer& tok = *lm.tokenizer;
  models::DecoderLM& model = *lm.model;

  const std::string text = read_file_bytes(text_file);
  ATTN_CHECK(!text.empty(), "{}: the file is empty (nothing to evaluate)", text_file.string());
  std::vector<std::int32_t> stream{lm_start_token(tok)};
  const std::vector<std::int32_t> ids = tok.encode(text);
  stream.insert(stream.end(), ids.begin(), ids.end());

  LmEvalReport r;
  for_each_code_point(text, [&](char32_t, std::string_view) { ++r.characters; });
  for (std::int32_t id : ids) r.unknown += id == Tokenizer::kUnkId ? 1 : 0;
  if (r.unknown > 0)
    log << fmt::format(
        "warning: {}: {} of {} characters are not in the vocabulary; scored as [UNK]\n",
        text_file.string(), r.unknown, r.characters);
  r.window = cfg.model.block_size;
  r.stride = std::max<std::int64_t>(1, r.window / 2);
  r.dynamic_lr = dynamic_lr;
  const LmScore s =
      dynamic_lr != 0
          ? score_stream_dynamic(model, stream, r.stride, static_cast<float>(dynamic_lr))
          : score_stream(model, stream, r.stride, cfg.training.batch_size);
  r.tokens = s.tokens;
  r.loss = s.nats / static_cast<double>(s.tokens);
  r.perplexity = std::exp(r.loss);
  r.bits_per_char = s.nats / std::log(2.0) / static_cast<double>(r.characters);
  return r;
}

}  // namespace attn::train
