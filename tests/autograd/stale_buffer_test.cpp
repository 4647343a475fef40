// Backward passes write fresh gradient buffers without zeroing them first
// (Variable::grad_target), and kernels get uninitialised outputs from the
// arena. With the arena poisoning every buffer it hands out (0xFF bytes, NaN
// as f32), a whole training step of each model must give the same loss and
// gradients, bit for bit, as without: no op reads memory it did not write.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <string>

#include "attn/autograd/ops.h"
#include "attn/autograd/tape.h"
#include "attn/core/arena.h"
#include "attn/core/rng.h"
#include "attn/models/decoder_lm.h"
#include "attn/models/encoder_classifier.h"
#include "attn/models/seq2seq.h"
#include "attn/nn/module.h"

namespace attn::test {
namespace {

struct StepResult {
  float loss = 0;
  std::map<std::string, std::vector<float>> grads;
};

// Loss of one step (a new tape and Rng each time) and every parameter's gradient.
StepResult run_step(const nn::Module& model,
                    const std::function<Variable(Context&)>& forward_loss) {
  for (const auto& p : model.parameters()) p.var.clear_grad();
  Tape tape;
  Rng rng(11);
  Context ctx{&tape, true, &rng};
  const Variable loss = forward_loss(ctx);
  tape.backward(loss);
  StepResult r;
  r.loss = loss.value().item();
  for (const auto& p : model.parameters())
    if (p.var.has_grad()) r.grads[p.name] = p.var.grad().to_vector();
  return r;
}

void expect_same_with_poisoned_buffers(const nn::Module& model,
                                       const std::function<Variable(Context&)>& forward_loss) {
  const StepResult clean = run_step(model, forward_loss);
  Arena::global().trim();  // parked buffers hold earlier values: make every one new
  Arena::global().set_poison(true);
  const StepResult poisoned = run_step(model, forward_loss);
  Arena::global().set_poison(false);
  ASSERT_TRUE(std::isfinite(clean.loss));
  EXPECT_EQ(std::memcmp(&clean.loss, &poisoned.loss, sizeof(float)), 0)
      << clean.loss << " vs " << poisoned.loss;
  ASSERT_EQ(clean.grads.size(), poisoned.grads.size());
  for (const auto& [name, g] : clean.grads) {
    const std::vector<float>& h = poisoned.grads.at(name);
    ASSERT_EQ(g.size(), h.size()) << name;
    EXPECT_EQ(std::memcmp(g.data(), h.data(), g.size() * sizeof(float)), 0) << name;
  }
}

TEST(StaleBuffers, DecoderLmStepReadsNoUnwrittenMemory) {
  models::DecoderLMConfig cfg;
  cfg.vocab_size = 30;
  cfg.block_size = 16;
  cfg.d_model = 16;
  cfg.num_layers = 2;
  cfg.num_heads = 2;
  cfg.dropout = 0.1f;
  const models::DecoderLM model(cfg, 1);
  const std::int64_t B = 2, T = 16;
  std::vector<std::int32_t> x(B * T), y(B * T);
  for (std::size_t i = 0; i < x.size(); ++i) {
    x[i] = static_cast<std::int32_t>((i * 7) % 30);
    y[i] = static_cast<std::int32_t>((i * 5 + 3) % 30);
  }
  expect_same_with_poisoned_buffers(
      model, [&](Context& ctx) { return model.loss(ctx, model.forward(ctx, x, B, T), y, -1); });
}

TEST(StaleBuffers, Seq2SeqStepReadsNoUnwrittenMemory) {
  for (bool norm_first : {false, true}) {
    models::Seq2SeqConfig cfg;
    cfg.source_vocab_size = 20;
    cfg.target_vocab_size = 15;
    cfg.max_len = 10;
    cfg.d_model = 16;
    cfg.num_heads = 2;
    cfg.encoder_layers = 2;
    cfg.decoder_layers = 2;
    cfg.d_ff = 24;
    cfg.dropout = 0.1f;
    cfg.norm_first = norm_first;
    const models::Seq2Seq model(cfg, 2);
    const std::int64_t B = 2, S = 6, T = 5;
    std::vector<std::int32_t> src(B * S), tgt(B * T), out(B * T);
    Tensor src_valid = Tensor::zeros({B, S}, DType::u8);
    for (std::int64_t i = 0; i < B * S; ++i) {
      src[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(1 + (i * 7) % 19);
      src_valid.data_as<std::uint8_t>()[i] = i < S + 3 ? 1 : 0;
    }
    for (std::int64_t i = 0; i < B * T; ++i) {
      tgt[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(1 + (i * 3) % 14);
      out[static_cast<std::size_t>(i)] = static_cast<std::int32_t>((i * 2) % 15);
    }
    SCOPED_TRACE(norm_first ? "pre-norm" : "post-norm");
    expect_same_with_poisoned_buffers(model, [&](Context& ctx) {
      const Variable memory = model.encode(ctx, src, B, S, src_valid);
      return model.loss(ctx, model.decode(ctx, memory, src_valid, tgt, T), out, 0.1f);
    });
  }
}

TEST(StaleBuffers, ClassifierStepReadsNoUnwrittenMemory) {
  for (bool bare : {false, true}) {
    models::ClassifierConfig cfg;
    cfg.vocab_size = 25;
    cfg.max_len = 12;
    cfg.d_model = 16;
    cfg.positional = nn::Positional::sinusoidal;
    cfg.bare_attention = bare;
    cfg.num_heads = 2;
    cfg.d_ff = 24;
    cfg.dropout = 0.1f;
    const models::EncoderClassifier model(cfg, 3);
    std::vector<std::int32_t> ids(3 * 12);
    Tensor valid = Tensor::zeros({3, 12}, DType::u8);
    for (std::int64_t i = 0; i < 36; ++i) {
      const bool real = i % 12 < 12 - 3 * (i / 12);
      ids[static_cast<std::size_t>(i)] = real ? static_cast<std::int32_t>(1 + (i * 5) % 24) : 0;
      valid.data_as<std::uint8_t>()[i] = real ? 1 : 0;
    }
    const std::vector<float> targets = {1.0f, 0.0f, 1.0f};
    SCOPED_TRACE(bare ? "bare attention" : "encoder layer");
    expect_same_with_poisoned_buffers(model, [&](Context& ctx) {
      return ops::bce_with_logits(ctx, model.forward(ctx, ids, valid), targets);
    });
  }
}

}  // namespace
}  // namespace attn::test
