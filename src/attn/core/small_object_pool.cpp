#include "attn/core/small_object_pool.h"

namespace attn {

std::pmr::memory_resource* small_object_pool() {
  // Leaked on purpose, like Arena::global(): see the header.
  static auto* pool = new std::pmr::synchronized_pool_resource();
  return pool;
}

}  // namespace attn
