#pragma once
// A process-wide pool for the small, short-lived objects every op makes: the
// shared_ptr control blocks of tensor storage and Variable state. Freed blocks go
// back to per-size free lists instead of the system allocator, so once training
// reaches its steady state these objects cost no malloc/free (DESIGN "no
// allocation on the hot path"). Thread-safe; never destroyed (objects with static
// storage duration may release into it at exit).
#include <memory_resource>

namespace attn {

std::pmr::memory_resource* small_object_pool();

}  // namespace attn
