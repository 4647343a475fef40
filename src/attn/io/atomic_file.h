#pragma once
// Whole-file reads and crash-safe writes. A checkpoint must never be left
// half-written: write_file_atomic writes a temp file beside the target, fsyncs
// it, renames it over the target and fsyncs the directory, so a reader sees
// either the old bytes or the new bytes, never a mix.
#include <filesystem>
#include <string>
#include <string_view>

namespace attn {

// Replaces `path` with `bytes` atomically via `path.tmp.<pid>` in the same
// directory. On failure the temp file is removed, the old file is untouched,
// and attn::Error names the path and the system's reason.
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

// fsyncs a directory so that renames and creations inside it are durable.
void sync_directory(const std::filesystem::path& dir);

// The whole file; throws attn::Error "cannot read FILE: reason".
std::string read_file_bytes(const std::filesystem::path& path);

// Creates `dir` (and parents) if missing and checks a file can be created in
// it; throws attn::Error naming the directory otherwise.
void ensure_writable_dir(const std::filesystem::path& dir);

}  // namespace attn
