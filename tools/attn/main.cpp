#include <fmt/format.h>

int main() {
  fmt::print("attn 0.1.0\n");
  return 0;
}
