// The incremental Seq2Seq decoder (models/seq2seq_step.h) against decode() recomputed over
// each row's whole prefix, at every step: post-norm and pre-norm, a batch of padded
// sources of different lengths, rows reordered (expanded to beams, permuted, shrunk), and
// each bad input.
#include "attn/models/seq2seq_step.h"

#include <gtest/gtest.h>

#include <cstring>

#include "test_util.h"

namespace attn::test {
namespace {

models::Seq2SeqConfig small_config(bool norm_first, bool tied, nn::Positional pos) {
  models::Seq2SeqConfig c;
  c.source_vocab_size = 11;
  c.target_vocab_size = 13;
  c.max_len = 12;
  c.d_model = 16;
  c.num_heads = 2;
  c.encoder_layers = 2;
  c.decoder_layers = 2;
  c.d_ff = 24;
  c.dropout = 0.1f;  // must be inactive at inference
  c.norm_first = norm_first;
  c.tie_output = tied;
  c.positional = pos;
  return c;
}

// Three sources of lengths 5, 2 and 4, right-padded into [3, 5].
struct Encoded {
  Tensor memory, valid;
};

Encoded encode_batch(const models::Seq2Seq& m) {
  const std::vector<std::vector<std::int32_t>> src = {{1, 4, 2, 9, 3}, {7, 5}, {2, 2, 8, 10}};
  const std::int64_t s = 5;
  std::vector<std::int32_t> ids(3 * s, 0);
  Encoded e;
  e.valid = Tensor::zeros({3, s}, DType::u8);
  for (std::size_t b = 0; b < src.size(); ++b)
    for (std::size_t j = 0; j < src[b].size(); ++j) {
      ids[b * s + j] = src[b][j];
      e.valid.data_as<std::uint8_t>()[b * s + j] = 1;
    }
  Context ctx;
  e.memory = m.encode(ctx, ids, 3, s, e.valid).value();
  return e;
}

// decode() over one row's whole prefix (memory row `src` of the batch): last position's
// logits [1, V].
Tensor decode_last(const models::Seq2Seq& m, const Encoded& e, std::int64_t src,
                   const std::vector<std::int32_t>& prefix) {
  const std::int64_t s = e.memory.dim(1), c = e.memory.dim(2);
  Tensor mem = Tensor::empty({1, s, c});
  std::memcpy(mem.data(), e.memory.data() + src * s * c, static_cast<std::size_t>(s * c) * 4);
  Tensor valid = Tensor::empty({1, s}, DType::u8);
  std::memcpy(valid.raw(), e.valid.data_as<std::uint8_t>() + src * s, static_cast<std::size_t>(s));
  Context ctx;
  const auto t = static_cast<std::int64_t>(prefix.size());
  Tensor all = m.decode(ctx, Variable(mem), valid, prefix, t).value();  // [1, T, V]
  const std::int64_t v = all.dim(2);
  Tensor last = Tensor::empty({1, v});
  std::memcpy(last.data(), all.data() + (t - 1) * v, static_cast<std::size_t>(v) * 4);
  return last;
}

// Rows of the test: which source each reads and the tokens it was fed.
struct Rows {
  std::vector<std::int64_t> source;
  std::vector<std::vector<std::int32_t>> fed;
};

// Feeds tokens [R] and checks every row's logits against the recomputation.
void step_and_check(const models::Seq2Seq& m, const Encoded& e, models::Seq2SeqState& st,
                    Rows& rows, const std::vector<std::int32_t>& tokens) {
  Tensor logits = models::step(m, st, tokens);
  const std::int64_t v = m.config().target_vocab_size;
  ASSERT_EQ(logits.shape(), (Shape{static_cast<std::int64_t>(tokens.size()), v}));
  for (std::size_t r = 0; r < tokens.size(); ++r) {
    rows.fed[r].push_back(tokens[r]);
    Tensor got = Tensor::empty({1, v});
    std::memcpy(got.data(), logits.data() + static_cast<std::int64_t>(r) * v,
                static_cast<std::size_t>(v) * 4);
    // Normwise (relative to the row's largest logit): logits near 0 make elementwise
    // relative error meaningless, and the two paths sum in different orders.
    EXPECT_TRUE(all_close_normwise(got, decode_last(m, e, rows.source[r], rows.fed[r]), 1e-4f))
        << "row " << r << " after " << rows.fed[r].size() << " tokens";
  }
}

void reorder_rows(models::Seq2SeqState& st, Rows& rows, const std::vector<std::int64_t>& parents) {
  models::reorder(st, parents);
  Rows next;
  for (std::int64_t p : parents) {
    next.source.push_back(rows.source[static_cast<std::size_t>(p)]);
    next.fed.push_back(rows.fed[static_cast<std::size_t>(p)]);
  }
  rows = next;
}

void check_model(const models::Seq2SeqConfig& cfg) {
  models::Seq2Seq m(cfg, 21);
  const Encoded e = encode_batch(m);
  models::Seq2SeqState st = models::start(m, e.memory, e.valid, 10);
  Rows rows{{0, 1, 2}, {{}, {}, {}}};
  step_and_check(m, e, st, rows, {0, 0, 0});  // bos
  step_and_check(m, e, st, rows, {5, 12, 3});
  step_and_check(m, e, st, rows, {7, 1, 1});
  reorder_rows(st, rows, {2, 0, 0, 1, 2, 2});  // expand to beams, permuted
  step_and_check(m, e, st, rows, {4, 9, 6, 2, 11, 4});
  step_and_check(m, e, st, rows, {8, 3, 3, 10, 0, 5});
  reorder_rows(st, rows, {4, 1});  // sentences finished: shrink
  step_and_check(m, e, st, rows, {6, 2});
  reorder_rows(st, rows, {1, 1, 0});  // grow again past the spare buffers
  step_and_check(m, e, st, rows, {9, 7, 12});
}

TEST(Seq2SeqStep, PostNormMatchesDecode) {
  check_model(small_config(false, true, nn::Positional::sinusoidal));
}

TEST(Seq2SeqStep, PreNormMatchesDecode) {
  check_model(small_config(true, false, nn::Positional::learned));
}

TEST(Seq2SeqStep, IdentityReorderKeepsState) {
  models::Seq2Seq m(small_config(false, false, nn::Positional::sinusoidal), 3);
  const Encoded e = encode_batch(m);
  models::Seq2SeqState st = models::start(m, e.memory, e.valid);
  Rows rows{{0, 1, 2}, {{}, {}, {}}};
  step_and_check(m, e, st, rows, {0, 0, 0});
  reorder_rows(st, rows, {0, 1, 2});
  step_and_check(m, e, st, rows, {3, 4, 5});
}

struct Seq2SeqStepBad : ::testing::Test {
  models::Seq2Seq m{small_config(false, true, nn::Positional::sinusoidal), 5};
  Encoded e = encode_batch(m);
};

TEST_F(Seq2SeqStepBad, StepWrongTokenCount) {
  models::Seq2SeqState st = models::start(m, e.memory, e.valid);
  const std::string msg = error_of([&] { models::step(m, st, {0, 0}); });
  EXPECT_NE(msg.find("expected 3 tokens"), std::string::npos) << msg;
}

TEST_F(Seq2SeqStepBad, StepTokenOutsideVocabulary) {
  models::Seq2SeqState st = models::start(m, e.memory, e.valid);
  const std::string msg = error_of([&] { models::step(m, st, {0, 13, 0}); });
  EXPECT_NE(msg.find("row 1 token id 13"), std::string::npos) << msg;
}

TEST_F(Seq2SeqStepBad, StepPastCapacity) {
  models::Seq2SeqState st = models::start(m, e.memory, e.valid, 1);
  models::step(m, st, {0, 0, 0});
  const std::string msg = error_of([&] { models::step(m, st, {0, 0, 0}); });
  EXPECT_NE(msg.find("capacity"), std::string::npos) << msg;
}

TEST_F(Seq2SeqStepBad, StartCapacityOverMaxLen) {
  const std::string msg = error_of([&] { models::start(m, e.memory, e.valid, 13); });
  EXPECT_NE(msg.find("max_len = 12"), std::string::npos) << msg;
}

TEST_F(Seq2SeqStepBad, StartMemoryWrongWidth) {
  const std::string msg = error_of([&] { models::start(m, Tensor::zeros({3, 5, 8}), e.valid); });
  EXPECT_NE(msg.find("[3, 5, 8]"), std::string::npos) << msg;
}

TEST_F(Seq2SeqStepBad, StartValidWrongShape) {
  const std::string msg = error_of([&] {
    models::start(m, e.memory, Tensor::zeros({3, 4}, DType::u8));
  });
  EXPECT_NE(msg.find("src_valid"), std::string::npos) << msg;
}

TEST_F(Seq2SeqStepBad, ReorderParentOutOfRange) {
  models::Seq2SeqState st = models::start(m, e.memory, e.valid);
  const std::string msg = error_of([&] { models::reorder(st, {0, 3}); });
  EXPECT_NE(msg.find("parent 3 of new row 1"), std::string::npos) << msg;
}

TEST_F(Seq2SeqStepBad, ReorderToNoRows) {
  models::Seq2SeqState st = models::start(m, e.memory, e.valid);
  const std::string msg = error_of([&] { models::reorder(st, {}); });
  EXPECT_NE(msg.find("at least one"), std::string::npos) << msg;
}

}  // namespace
}  // namespace attn::test
