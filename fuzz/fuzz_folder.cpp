// libFuzzer target: a folder-per-label data set (label folder names are any
// bytes a file system allows, file contents any bytes), read as training reads
// it, then its labels written as config.json stores them.
// Input: entries separated by 0x1E, each "label 0x1F content".
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "attn/core/error.h"
#include "attn/data/examples_reader.h"
#include "attn/train/classifier_data.h"
#include "attn/train/run_config.h"

namespace fs = std::filesystem;

namespace {

const fs::path& scratch() {
  static const fs::path dir =
      fs::temp_directory_path() / ("attn_fuzz_folder_" + std::to_string(::getpid()));
  return dir;
}

// A folder name from fuzz bytes: no '/' or NUL, not "." or "..", at most 64 bytes.
std::string folder_name(std::string_view raw) {
  std::string name;
  for (char c : raw.substr(0, 64))
    if (c != '/' && c != '\0') name += c;
  return name == "." || name == ".." ? "" : name;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const fs::path root = scratch();
  fs::remove_all(root);
  fs::create_directories(root);
  std::size_t start = 0, n = 0;
  while (start <= input.size() && n < 16) {
    const std::size_t end = std::min(input.find('\x1e', start), input.size());
    const std::string_view entry = input.substr(start, end - start);
    const std::size_t sep = entry.find('\x1f');
    const std::string label = folder_name(entry.substr(0, sep));
    if (!label.empty()) {
      std::error_code ec;
      fs::create_directories(root / label, ec);
      if (!ec) {
        std::ofstream(root / label / std::to_string(n), std::ios::binary)
            << (sep == std::string_view::npos ? std::string_view() : entry.substr(sep + 1));
      }
    }
    start = end + 1;
    ++n;
  }
  try {
    std::ostringstream log;
    const auto set = attn::train::read_split(root, log);
    attn::train::RunConfig cfg;
    cfg.model.num_classes = 16;  // room for every label the input can make
    const auto labels = attn::train::make_label_info(set, cfg);
    labels.to_json().dump();  // what config.json will hold
  } catch (const attn::Error&) {
  }
  return 0;
}
