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
#include "attn/optim/optim.h"
#include "attn/train/classifier_step.h"
#include "attn/train/step_guard.h"
#include "tiny_models.h"

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
  models::DecoderLM model(tiny_lm_config(), 1);
  auto opt = train::make_optimizer({"adamw", 1e-3f, 0.9f, 0.99f, 1e-8f, 0.0f, 0.1f}, model);
  Rng rng(3);
  const LmBatch d = tiny_lm_batch(30, 4, 16);
  Tape tape;
  train::StepGuard guard("stop", 1, 0.5f, "unused");
  const std::size_t n = allocations_of_steady_step([&] {
    Context ctx{&tape, true, &rng};
    const Variable loss = model.loss(ctx, model.forward(ctx, d.x, d.b, d.t), d.y, -1);
    tape.backward(loss);
    guarded_update(*opt, guard, loss.value().item());
  });
  std::printf("allocations in a steady-state LM step: %zu\n", n);
  EXPECT_EQ(n, 0u);
}

TEST(SteadyState, ClassifierTrainingStepAllocatesNothing) {
  ThreadPool::set_num_threads(2);
  models::EncoderClassifier model(tiny_classifier_config(false), 2);
  auto opt = train::make_optimizer({"adam", 1e-3f, 0.9f, 0.999f, 1e-7f, 0.0f, 0.0f}, model);
  Rng rng(5);
  const ClassifierBatch d = tiny_classifier_batch();
  Batch batch;  // as the classifier's batcher makes it
  batch.batch = 3;
  batch.time = 12;
  batch.ids = d.ids;
  batch.valid = d.valid;
  batch.targets = d.targets;
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
  models::Seq2Seq model(tiny_seq2seq_config(true), 4);
  auto opt = train::make_optimizer({"adamw", 1e-3f, 0.9f, 0.98f, 1e-9f, 0.0f, 0.01f}, model);
  Rng rng(7);
  const Seq2SeqBatch d = tiny_seq2seq_batch();
  Tape tape;
  train::StepGuard guard("stop", 1, 0.5f, "unused");
  const std::size_t n = allocations_of_steady_step([&] {
    Context ctx{&tape, true, &rng};
    const Variable memory = model.encode(ctx, d.src, d.b, d.s, d.src_valid);
    const Variable loss =
        model.loss(ctx, model.decode(ctx, memory, d.src_valid, d.tgt, d.t), d.out, 0.1f);
    tape.backward(loss);
    guarded_update(*opt, guard, loss.value().item());
  });
  std::printf("allocations in a steady-state seq2seq step: %zu\n", n);
  EXPECT_EQ(n, 0u);
}

}  // namespace
}  // namespace attn::test
