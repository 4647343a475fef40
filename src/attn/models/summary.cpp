#include <algorithm>

#include "attn/models/encoder_classifier.h"

namespace attn::models {

std::string with_commas(std::int64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string summary_table(const std::string& model_name, const std::vector<LayerRow>& rows) {
  std::size_t w_layer = 12, w_shape = 12;
  for (const auto& r : rows) {
    w_layer = std::max(w_layer, r.name.size() + r.type.size() + 3);
    w_shape = std::max(w_shape, r.output_shape.size());
  }
  const std::size_t w_params = 12, total_w = w_layer + w_shape + w_params + 4;
  std::string out = fmt::format("Model: \"{}\"\n", model_name);
  out += std::string(total_w, '_') + "\n";
  out += fmt::format(" {:<{}} {:<{}} {:>{}}\n", "Layer (type)", w_layer, "Output Shape", w_shape,
                     "Param #", w_params);
  out += std::string(total_w, '=') + "\n";
  std::int64_t total = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    out += fmt::format(" {:<{}} {:<{}} {:>{}}\n", fmt::format("{} ({})", r.name, r.type), w_layer,
                       r.output_shape, w_shape, with_commas(r.params), w_params);
    out += std::string(total_w, i + 1 == rows.size() ? '=' : '_') + "\n";
    total += r.params;
  }
  out += fmt::format("Total params: {}\nTrainable params: {}\nNon-trainable params: 0\n",
                     with_commas(total), with_commas(total));
  return out;
}

}  // namespace attn::models
