// Allocations in a steady-state training step (forward, loss, backward,
// clipping, AdamW, zero_grad), counted by replacing operator new in this binary.
//
// The performance issue asks for none. History: 653 per step of the 2-layer LM
// at first; parallel_for taking a RangeFn, the small-object pool (control
// blocks, Variable state, tape closures), per-kernel scratch (kernels/scratch.h)
// brought it to 231; Shape stored inline (core/shape.h) and ids/targets kept in
// arena tensors brought it to 0. Buffers come from the arena's free lists once
// the first steps have sized them, so steps after the warm-up allocate nothing.
#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <sstream>

#include "alloc_counter.h"
#include "attn/autograd/tape.h"
#include "attn/core/rng.h"
#include "attn/core/thread_pool.h"
#include "attn/models/decoder_lm.h"
#include "attn/models/encoder_classifier.h"
#include "attn/models/seq2seq.h"
#include "attn/optim/optim.h"
#include "attn/train/classifier_step.h"
#include "attn/train/step_guard.h"

namespace attn::test {
namespace {

// The update as the training loops make it: clipping, the non-finite check,
// AdamW, zero_grad.
void guarded_update(optim::Optimizer& opt, train::StepGuard& guard, double loss) {
  std::ostringstream log;  // written only when a step is skipped
  ASSERT_TRUE(guard.apply(opt, loss, "step", log));
}

// Runs `step` a few times to warm the pools, then counts one more step.
std::size_t allocations_of_steady_step(const std::function<void()>& step) {
  for (int i = 0; i < 3; ++i) step();
  start_counting_allocations();
  step();
  return stop_counting_allocations();
}

TEST(SteadyState, DecoderLmTrainingStepAllocatesNothing) {
  ThreadPool::set_num_threads(2);  // kernels split work differently per thread count
  models::DecoderLMConfig cfg;
  cfg.vocab_size = 50;
  cfg.block_size = 32;
  cfg.d_model = 32;
  cfg.num_layers = 2;
  cfg.num_heads = 2;
  cfg.dropout = 0.1f;
  models::DecoderLM model(cfg, 1);
  auto opt = train::make_optimizer({"adamw", 1e-3f, 0.9f, 0.99f, 1e-8f, 0.0f, 0.1f}, model);
  Rng rng(3);
  const std::int64_t B = 4, T = 32;
  std::vector<std::int32_t> x(B * T), y(B * T);
  for (std::size_t i = 0; i < x.size(); ++i) {
    x[i] = static_cast<std::int32_t>((i * 7) % 50);
    y[i] = static_cast<std::int32_t>((i * 11) % 50);
  }
  Tape tape;
  train::StepGuard guard("stop", 1, 0.5f, "unused");
  const std::size_t n = allocations_of_steady_step([&] {
    Context ctx{&tape, true, &rng};
    const Variable logits = model.forward(ctx, x, B, T);
    const Variable loss = model.loss(ctx, logits, y, -1);
    tape.backward(loss);
    guarded_update(*opt, guard, loss.value().item());
  });
  std::printf("allocations in a steady-state LM step: %zu\n", n);
  EXPECT_EQ(n, 0u);
}

TEST(SteadyState, ClassifierTrainingStepAllocatesNothing) {
  ThreadPool::set_num_threads(2);
  models::ClassifierConfig cfg;
  cfg.vocab_size = 40;
  cfg.max_len = 16;
  cfg.d_model = 16;
  cfg.positional = nn::Positional::learned;
  cfg.num_heads = 2;
  cfg.d_ff = 32;
  cfg.dropout = 0.1f;
  models::EncoderClassifier model(cfg, 2);
  auto opt = train::make_optimizer({"adam", 1e-3f, 0.9f, 0.999f, 1e-7f, 0.0f, 0.0f}, model);
  Rng rng(5);
  Batch batch;
  batch.batch = 3;
  batch.time = 16;
  batch.valid = Tensor::zeros({3, 16}, DType::u8);
  auto* valid = batch.valid.data_as<std::uint8_t>();
  for (std::int64_t i = 0; i < 3 * 16; ++i) {
    const bool real = i % 16 < 16 - 4 * (i / 16);  // rows of 16, 12 and 8 tokens
    batch.ids.push_back(real ? static_cast<std::int32_t>(1 + (i * 5) % 39) : 0);
    valid[i] = real ? 1 : 0;
  }
  batch.targets = {1.0f, 0.0f, 1.0f};
  Tape tape;
  train::StepGuard guard("stop", 1, 0.5f, "unused");
  const std::size_t n = allocations_of_steady_step([&] {
    Context ctx{&tape, true, &rng};
    const train::StepStats s = train::train_step(ctx, model, batch, true, 0.0f);
    tape.backward(s.loss_var);
    guarded_update(*opt, guard, s.loss_sum);
  });
  std::printf("allocations in a steady-state classifier step: %zu\n", n);
  EXPECT_EQ(n, 0u);
}

TEST(SteadyState, Seq2SeqTrainingStepAllocatesNothing) {
  ThreadPool::set_num_threads(2);
  models::Seq2SeqConfig cfg;
  cfg.source_vocab_size = 30;
  cfg.target_vocab_size = 20;
  cfg.max_len = 12;
  cfg.d_model = 16;
  cfg.num_heads = 2;
  cfg.encoder_layers = 2;
  cfg.decoder_layers = 2;
  cfg.d_ff = 24;
  cfg.dropout = 0.1f;
  models::Seq2Seq model(cfg, 4);
  auto opt = train::make_optimizer({"adamw", 1e-3f, 0.9f, 0.98f, 1e-9f, 0.0f, 0.01f}, model);
  Rng rng(7);
  const std::int64_t B = 2, S = 6, T = 5;
  std::vector<std::int32_t> src(B * S), tgt(B * T), out(B * T);
  Tensor src_valid = Tensor::zeros({B, S}, DType::u8);
  for (std::int64_t i = 0; i < B * S; ++i) {
    src[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(1 + (i * 7) % 29);
    src_valid.data_as<std::uint8_t>()[i] = i < S + 4 ? 1 : 0;  // the second source is padded
  }
  for (std::int64_t i = 0; i < B * T; ++i) {
    tgt[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(1 + (i * 3) % 19);
    out[static_cast<std::size_t>(i)] = i % T == T - 1 ? -100 : tgt[static_cast<std::size_t>(i + 1)];
  }
  Tape tape;
  train::StepGuard guard("stop", 1, 0.5f, "unused");
  const std::size_t n = allocations_of_steady_step([&] {
    Context ctx{&tape, true, &rng};
    const Variable memory = model.encode(ctx, src, B, S, src_valid);
    const Variable logits = model.decode(ctx, memory, src_valid, tgt, T);
    const Variable loss = model.loss(ctx, logits, out, 0.1f);
    tape.backward(loss);
    guarded_update(*opt, guard, loss.value().item());
  });
  std::printf("allocations in a steady-state seq2seq step: %zu\n", n);
  EXPECT_EQ(n, 0u);
}

}  // namespace
}  // namespace attn::test
