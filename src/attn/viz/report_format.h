#pragma once
// Number formatting shared by the training report's sections (HTML text).
#include <cstdint>
#include <string>

#include "attn/models/encoder_classifier.h"

namespace attn::viz {

// v with `digits` decimals, or an en dash for NaN/inf (a value the run did not log).
std::string fixed(double v, int digits = 4);
using models::with_commas;  // 1234567 -> "1,234,567"
// Seconds as "12.3 s", "4.5 min" or "1.25 h" (en dash when not finite).
std::string duration(double seconds);

}  // namespace attn::viz
