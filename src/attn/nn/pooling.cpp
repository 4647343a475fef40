#include "attn/nn/pooling.h"

namespace attn::nn {

Pooling parse_pooling(const std::string& s) {
  if (s == "mean") return Pooling::mean;
  if (s == "max") return Pooling::max;
  if (s == "cls") return Pooling::cls;
  fail("unknown pooling \"{}\" (expected mean, max or cls)", s);
}

const char* pooling_layer_name(Pooling p) {
  switch (p) {
    case Pooling::mean:
      return "GlobalAveragePooling1D";
    case Pooling::max:
      return "GlobalMaxPooling1D";
    case Pooling::cls:
      return "ClsTokenPooling";
  }
  return "?";
}

Variable pool(Context& ctx, Pooling kind, const Variable& x, const Tensor& valid) {
  switch (kind) {
    case Pooling::mean:
      return ops::mean_pool(ctx, x, valid);
    case Pooling::max:
      return ops::max_pool(ctx, x, valid);
    case Pooling::cls:
      return ops::select_time(ctx, x, 0);
  }
  fail("pool: bad pooling kind");
}

}  // namespace attn::nn
