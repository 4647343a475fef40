#pragma once
// attn::Error is the one exception type for bad input and violated contracts.
// The message always says what failed, where (file:line/offset, tensor or
// parameter name) and expected vs got. Library code never exits or aborts;
// only the CLI decides exit codes (Error -> 2, anything else -> 1).
#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace attn {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> f, Args&&... args) {
  throw Error(fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace attn

// ATTN_CHECK(cond, "fmt", args...) throws attn::Error with the formatted message.
#define ATTN_CHECK(cond, ...)    \
  do {                           \
    if (!(cond)) {               \
      ::attn::fail(__VA_ARGS__); \
    }                            \
  } while (0)
