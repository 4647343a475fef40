#include "attn/kernels/reference_mode.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace attn::kernels {

namespace {
// -1 = not read yet, 0 = fast kernels, 1 = reference kernels. Atomic because
// kernels may first ask from several pool threads at once.
std::atomic<int> g_mode{-1};

int mode_from_env() {
  const char* v = std::getenv("ATTN_FORCE_REF");
  return (v != nullptr && v[0] != '\0' && std::strcmp(v, "0") != 0) ? 1 : 0;
}
}  // namespace

bool use_reference_kernels() {
  int m = g_mode.load(std::memory_order_relaxed);
  if (m < 0) {
    int expected = -1;
    m = mode_from_env();
    // Another thread may have stored first (or set an override); keep its value.
    if (!g_mode.compare_exchange_strong(expected, m)) m = expected;
  }
  return m == 1;
}

void set_use_reference_kernels(bool on) { g_mode.store(on ? 1 : 0); }

}  // namespace attn::kernels
