#include "attn/core/tensor.h"

#include "attn/core/arena.h"
#include "test_util.h"

namespace attn {
namespace {

TEST(Tensor, ShapeNumelAndReshapeShareStorage) {
  Tensor t = Tensor::from({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(t.numel(), 6);
  EXPECT_EQ(t.dim(-1), 3);
  Tensor r = t.reshape({3, -1});
  EXPECT_EQ(r.shape(), (Shape{3, 2}));
  r.data()[0] = 42;
  EXPECT_EQ(t.data()[0], 42);
}

TEST(Tensor, BadReshapeAndAxisThrowWithShapes) {
  Tensor t = Tensor::zeros({2, 3});
  try {
    t.reshape({4, 2});
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("[2, 3]"), std::string::npos) << e.what();
  }
  EXPECT_THROW(t.dim(2), Error);
  EXPECT_THROW(t.data_as<int>() && (Tensor::zeros({1}, DType::i32).data(), true), Error);
}

TEST(Tensor, CloneIsDeep) {
  Tensor t = Tensor::full({4}, 1.5f);
  Tensor c = t.clone();
  c.data()[0] = 0;
  EXPECT_EQ(t.data()[0], 1.5f);
}

TEST(Arena, ReusesReleasedBuffers) {
  const auto before = Arena::global().stats();
  { Tensor a = Tensor::empty({1234567}); }
  { Tensor b = Tensor::empty({1234567}); }
  const auto after = Arena::global().stats();
  EXPECT_GE(after.reuses, before.reuses + 1);
}

}  // namespace
}  // namespace attn

namespace attn {
namespace {

// Variable-length batches must not grow the pool without bound: nearby sizes
// share a size class, so a sweep of lengths reuses a handful of buffers.
TEST(Arena, NearbySizesShareBuffers) {
  Arena::global().trim();
  const auto before = Arena::global().stats();
  for (int t = 200; t < 256; ++t) Tensor a = Tensor::empty({32, t, 64});
  const auto after = Arena::global().stats();
  EXPECT_LE(after.system_allocations - before.system_allocations, 3u);
  EXPECT_LE(after.bytes_held, std::size_t{64} << 20);
}

}  // namespace
}  // namespace attn
