#pragma once
// Counts every operator new made while counting is on (alloc_counter.cpp
// replaces the global allocation functions for this test binary only).
#include <cstddef>

namespace attn::test {

void start_counting_allocations();
// Stops counting; returns the allocations made since start_counting_allocations().
std::size_t stop_counting_allocations();

}  // namespace attn::test
