// ops::embedding: validates ids against the vocabulary, gathers rows, and
// scatter-adds the output gradient into the table's gradient.
#include "attn/kernels/embedding.h"

#include <utility>

#include "attn/autograd/ops.h"

namespace attn::ops {

// table [V, C], ids (prod(ids_shape) values in [0, V)) -> ids_shape + [C]
Variable embedding(Context& ctx, const Variable& table, const std::vector<std::int32_t>& ids,
                   const Shape& ids_shape) {
  ATTN_CHECK(table.defined() && table.value().rank() == 2,
             "embedding: table must be [V, C], got {}",
             table.defined() ? shape_str(table.shape()) : std::string("undefined"));
  const std::int64_t V = table.shape()[0], C = table.shape()[1];
  const std::int64_t N = static_cast<std::int64_t>(ids.size());
  ATTN_CHECK(shape_numel(ids_shape) == N, "embedding: ids shape {} needs {} ids, got {}",
             shape_str(ids_shape), shape_numel(ids_shape), N);
  for (std::int64_t i = 0; i < N; ++i) {
    const std::int32_t id = ids[static_cast<std::size_t>(i)];
    ATTN_CHECK(id >= 0 && id < V,
               "embedding: id {} at position {} is out of range for vocabulary size {}", id, i, V);
  }
  Shape ys = ids_shape;
  ys.push_back(C);
  Tensor y = Tensor::empty(ys);
  kernels::embedding_forward(table.value().data(), ids.data(), N, C, y.data());

  const bool rec = ctx.records(table);
  Variable out(y, rec);
  if (rec) {
    ctx.tape->record([table, out, ids_copy = Tensor::from_i32(ids), N, C] {
      if (out.has_grad())
        kernels::embedding_backward(out.grad().data(), ids_copy.data_as<std::int32_t>(), N, C,
                                    table.grad().data());
    });
  }
  return out;
}

}  // namespace attn::ops
