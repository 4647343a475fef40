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
#include "attn/nn/module.h"
#include "attn/train/precision_scope.h"
#include "tiny_models.h"

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
  const models::DecoderLM model(tiny_lm_config(), 1);
  const LmBatch d = tiny_lm_batch(30);
  expect_same_with_poisoned_buffers(model, [&](Context& ctx) {
    return model.loss(ctx, model.forward(ctx, d.x, d.b, d.t), d.y, -1);
  });
}

// The same with bf16 products (beta-0 stores of the bf16 GEMM into fresh
// gradients). On a CPU without AVX-512 BF16 the products fall back to f32 and
// this repeats the f32 case.
TEST(StaleBuffers, DecoderLmStepInBf16ReadsNoUnwrittenMemory) {
  const train::PrecisionScope bf16("bf16");
  const models::DecoderLM model(tiny_lm_config(), 1);
  const LmBatch d = tiny_lm_batch(30);
  expect_same_with_poisoned_buffers(model, [&](Context& ctx) {
    return model.loss(ctx, model.forward(ctx, d.x, d.b, d.t), d.y, -1);
  });
}

TEST(StaleBuffers, Seq2SeqStepReadsNoUnwrittenMemory) {
  for (bool norm_first : {false, true}) {
    const models::Seq2Seq model(tiny_seq2seq_config(norm_first), 2);
    const Seq2SeqBatch d = tiny_seq2seq_batch();
    SCOPED_TRACE(norm_first ? "pre-norm" : "post-norm");
    expect_same_with_poisoned_buffers(model, [&](Context& ctx) {
      const Variable memory = model.encode(ctx, d.src, d.b, d.s, d.src_valid);
      return model.loss(ctx, model.decode(ctx, memory, d.src_valid, d.tgt, d.t), d.out, 0.1f);
    });
  }
}

TEST(StaleBuffers, ClassifierStepReadsNoUnwrittenMemory) {
  for (bool bare : {false, true}) {
    const models::EncoderClassifier model(tiny_classifier_config(bare), 3);
    const ClassifierBatch d = tiny_classifier_batch();
    SCOPED_TRACE(bare ? "bare attention" : "encoder layer");
    expect_same_with_poisoned_buffers(model, [&](Context& ctx) {
      return ops::bce_with_logits(ctx, model.forward(ctx, d.ids, d.valid), d.targets);
    });
  }
}

}  // namespace
}  // namespace attn::test
