# Precompiled headers. Most of a translation unit's compile time here is parsing
# the same standard, fmt, nlohmann/json, CLI11 and GoogleTest headers again (about
# 5 of 16 s for a large test file at -O3, most of it at -O0): CI builds every file
# four times (Release, ASan, TSan, fuzz), so parsing them once per target pays.
# The headers are only force-included ahead of each file's own includes; every
# file still names what it uses. -DATTN_PCH=OFF builds without them, which is how
# to check that a file compiles on its own includes.
option(ATTN_PCH "Precompile the common system headers of each target" ON)

set(ATTN_PCH_COMMON
    <algorithm> <array> <cmath> <cstddef> <cstdint> <cstring> <filesystem> <fstream>
    <functional> <limits> <map> <memory> <optional> <sstream> <string> <string_view>
    <unordered_map> <utility> <vector> <fmt/format.h> <nlohmann/json.hpp>)
set(ATTN_PCH_TESTS ${ATTN_PCH_COMMON} <gtest/gtest.h>)

function(attn_precompile_headers target)
  if(ATTN_PCH)
    target_precompile_headers(${target} PRIVATE ${ARGN})
  endif()
endfunction()
