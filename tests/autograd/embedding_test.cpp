// ops::embedding: gathered rows, table gradient with repeated ids (exact and
// by finite differences), and errors naming the bad id and its position.
#include <vector>

#include "autograd/gradcheck.h"
#include "autograd/op_test_util.h"
#include "test_util.h"

namespace attn {
namespace {

using test::gradcheck;
using test::random_variable;
using test::weighted_sum;

TEST(EmbeddingOp, GathersRowsInIdsShape) {
  Variable table = random_variable({5, 3}, 1);
  const std::vector<std::int32_t> ids = {4, 0, 4, 2, 1, 1};
  Context ctx;
  Variable y = ops::embedding(ctx, table, ids, {2, 3});
  ASSERT_EQ(y.shape(), (Shape{2, 3, 3}));
  for (std::size_t n = 0; n < ids.size(); ++n)
    for (int c = 0; c < 3; ++c)
      EXPECT_EQ(y.value().data()[n * 3 + c], table.value().data()[ids[n] * 3 + c]);
}

TEST(EmbeddingOp, TableGradientSumsRepeatedIds) {
  Variable table = random_variable({5, 2}, 2);
  const std::vector<std::int32_t> ids = {3, 1, 3, 3};
  Tensor dy = Tensor::from({4, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  Tape tape;
  Context ctx{&tape, false, nullptr};
  tape.backward(test::dot_loss(ctx, ops::embedding(ctx, table, ids, {4}), dy));
  const std::vector<float> want = {0, 0, 3, 4, 0, 0, 1 + 5 + 7, 2 + 6 + 8, 0, 0};
  EXPECT_EQ(table.grad().to_vector(), want);

  auto f = [](Context& ctx, const std::vector<Variable>& v) {
    return weighted_sum(ctx, ops::embedding(ctx, v[0], {0, 2, 2, 1, 0, 2}, {2, 3}));
  };
  EXPECT_TRUE(gradcheck(f, {random_variable({4, 3}, 3)}));
}

TEST(EmbeddingOp, OutOfRangeIdNamesIdPositionAndVocabulary) {
  Variable table = random_variable({7, 2}, 4);
  Context ctx;
  EXPECT_TRUE(test::throws_mentioning(
      [&] {
        ops::embedding(ctx, table, {0, 6, 7, 9}, {4});
      },
      {"embedding", "id 7", "position 2", "vocabulary size 7"}));
  EXPECT_TRUE(test::throws_mentioning([&] { ops::embedding(ctx, table, {-1}, {1}); },
                                      {"id -1", "position 0"}));
}

TEST(EmbeddingOp, BadShapesThrow) {
  Context ctx;
  EXPECT_TRUE(test::throws_mentioning(
      [&] {
        ops::embedding(ctx, random_variable({7, 2}, 5), {0, 1, 2}, {2, 2});
      },
      {"embedding", "[2, 2]", "4", "3"}));
  EXPECT_TRUE(test::throws_mentioning(
      [&] { ops::embedding(ctx, random_variable({7}, 6), {0}, {1}); }, {"embedding", "[7]"}));
}

}  // namespace
}  // namespace attn
