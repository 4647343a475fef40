#include "attn/core/shape.h"

#include <gtest/gtest.h>

#include <vector>

#include "attn/core/tensor.h"

namespace attn {
namespace {

TEST(Shape, BehavesLikeTheVectorItReplaced) {
  Shape s{2, 3, 4};
  EXPECT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0], 2);
  EXPECT_EQ(s.back(), 4);
  s.push_back(5);
  EXPECT_EQ(s, (Shape{2, 3, 4, 5}));
  s.insert(s.begin() + 1, 7);
  EXPECT_EQ(s, (Shape{2, 7, 3, 4, 5}));
  s.erase(s.begin());
  EXPECT_EQ(s, (Shape{7, 3, 4, 5}));
  s.pop_back();
  EXPECT_EQ(s.to_vector(), (std::vector<std::int64_t>{7, 3, 4}));
  EXPECT_EQ(Shape(3, 1), (Shape{1, 1, 1}));
  EXPECT_EQ(Shape(std::vector<std::int64_t>{4, 5}), (Shape{4, 5}));
  EXPECT_NE((Shape{4, 5}), (Shape{4, 5, 1}));
  EXPECT_NE((Shape{4, 5}), (Shape{5, 4}));
  EXPECT_TRUE(Shape().empty());
  EXPECT_EQ(shape_str(Shape{2, 3}), "[2, 3]");
}

TEST(Shape, RankAboveTheMaximumIsAnError) {
  Shape s(Shape::kMaxRank, 1);
  EXPECT_THROW(s.push_back(1), Error);
  EXPECT_THROW(s.insert(s.begin(), 1), Error);
  EXPECT_EQ(s.size(), Shape::kMaxRank);  // unchanged by the failed calls
  EXPECT_THROW(Shape(Shape::kMaxRank + 1, 1), Error);
  const std::vector<std::int64_t> nine(9, 1);
  try {
    Tensor::empty(nine);
    FAIL() << "a rank-9 tensor was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("rank 9 exceeds the supported maximum of 8"),
              std::string::npos)
        << e.what();
  }
}

TEST(Shape, AtChecksTheIndex) {
  const Shape s{2, 3};
  EXPECT_EQ(s.at(1), 3);
  EXPECT_THROW(s.at(2), Error);
}

}  // namespace
}  // namespace attn
