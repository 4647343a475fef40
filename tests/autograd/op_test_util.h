#pragma once
// Helpers shared by the autograd op tests: a loss whose gradient is a chosen
// tensor, error-message checks, and a guard restoring the thread count.
#include <gtest/gtest.h>

#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "attn/autograd/ops.h"
#include "attn/core/thread_pool.h"

namespace attn::test {

// loss = sum(y * dy) built from linear, so d loss / d y == dy exactly.
inline Variable dot_loss(Context& ctx, const Variable& y, const Tensor& dy) {
  const std::int64_t n = y.value().numel();
  Variable flat = ops::reshape(ctx, y, {1, n});
  return ops::reshape(ctx, ops::linear(ctx, flat, Variable(dy.reshape({1, n})), Variable()), {1});
}

// Runs fn, expecting attn::Error whose message contains every fragment.
inline ::testing::AssertionResult throws_mentioning(const std::function<void()>& fn,
                                                    std::initializer_list<std::string> parts) {
  try {
    fn();
  } catch (const Error& e) {
    const std::string msg = e.what();
    for (const auto& p : parts)
      if (msg.find(p) == std::string::npos)
        return ::testing::AssertionFailure() << "message '" << msg << "' lacks '" << p << "'";
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "no attn::Error thrown";
}

struct ThreadCountGuard {
  ~ThreadCountGuard() { ThreadPool::set_num_threads(ThreadPool::default_threads()); }
};

}  // namespace attn::test
