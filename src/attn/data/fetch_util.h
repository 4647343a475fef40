#pragma once
// What every `attn data fetch` reader needs around its parsing: creating the
// output folder, writing each file atomically (a failed run never leaves a
// half-written split), and running a Debian program to read its output. data/
// may include only core/, so these live here rather than in io/.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace attn {

// Creates `dir` and its parents; throws attn::Error "cannot create directory DIR: reason".
void make_dirs(const std::filesystem::path& dir);

// A file's bytes; attn::Error naming the file when it cannot be opened or read.
std::string read_whole_file(const std::filesystem::path& path);

// The last `n` bytes of a file (e.g. a captured stderr or log), with "..." in front when
// cut and trailing newlines/spaces dropped, for error messages; "" when unreadable.
std::string file_tail(const std::filesystem::path& path, std::size_t n);

// Writes `content` to "<path>.tmp" and renames it onto `path`; throws
// attn::Error naming the path and the system's reason.
void write_atomically(const std::filesystem::path& path, std::string_view content);

// A command to run through /bin/sh and where its program comes from.
struct ProgramCommand {
  std::string command;  // the full shell command line (arguments already quoted)
  std::string program;  // the program it runs, for the message when it is missing
  std::string package;  // the Debian package that installs `program`
};

// Runs `cmd.command` and returns its standard output; standard error goes to
// `stderr_file` (removed afterwards) and its tail into error messages. Throws
// attn::Error "cannot run `PROGRAM` (...); install Debian's PACKAGE (apt-get
// install PACKAGE)" when the shell cannot find or execute it (exit 126/127),
// and names the command and its exit status when it fails otherwise.
std::string capture_output(const ProgramCommand& cmd, const std::filesystem::path& stderr_file);

// The first 60 bytes of `s` plus "..." when longer, for error messages.
std::string shorten(std::string_view s);

}  // namespace attn
