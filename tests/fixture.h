#pragma once
// Loader for the PyTorch fixtures written by scripts/make_fixtures.py:
// tests/fixtures/<case>.json describes the tensors (dtype, shape, byte offset
// and size) packed little-endian in <case>.bin, plus free-form case params.
// Every problem (missing file, wrong magic/version, sizes that disagree, an
// unknown tensor name) throws attn::Error naming the case and the tensor.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "attn/autograd/tape.h"
#include "attn/core/tensor.h"
#include "attn/nn/module.h"

namespace attn::test {

struct Fixture {
  std::string name;  // the case, e.g. "layer_norm_eps1e-5"
  std::map<std::string, Tensor> tensors;
  nlohmann::json params;

  bool has(const std::string& tensor) const { return tensors.count(tensor) != 0; }
  // The named tensor; throws attn::Error naming the case, the tensor and what exists.
  const Tensor& at(const std::string& tensor) const;
  // An i32 tensor's values (token ids, class targets) as a vector.
  std::vector<std::int32_t> ids(const std::string& tensor) const;
  // An f32 tensor's values as a vector (e.g. BCE targets).
  std::vector<float> floats(const std::string& tensor) const;
};

// Reads <fixtures_dir()>/<case_name>.{json,bin}.
Fixture load_fixture(const std::string& case_name);
// Reads <dir>/<case_name>.{json,bin} (tests of the loader itself use a temp dir).
Fixture load_fixture(const std::filesystem::path& dir, const std::string& case_name);

// ---- helpers for tests that replay a fixture through attn ----

// A fresh copy of an f32 fixture tensor as a Variable that requires a gradient.
Variable fixture_param(const Fixture& fx, const std::string& tensor);
// Runs tape.backward with upstream gradient `gout` for y (same numel), i.e. the
// gradient of loss = sum(y * gout), the loss the fixture's grad.* tensors were made with.
// Seeds y directly instead of building the loss from ops, so an op's test depends on no
// other op.
void backward_with_gout(Tape& tape, const Variable& y, const Tensor& gout);
// all_close(got, fx.at(tensor)) with the case and tensor named on failure. A 1-element
// `got` is compared whatever its shape ([] vs [1]).
::testing::AssertionResult fixture_close(const Fixture& fx, const std::string& tensor,
                                         const Tensor& got, float rel_tol = 1e-5f,
                                         float floor = 1e-3f);

// Normwise variant (max|got - want| / max|want|) for whole layers and models, whose
// gradients hold entries that are tiny differences of O(1) terms.
::testing::AssertionResult fixture_close_normwise(const Fixture& fx, const std::string& tensor,
                                                  const Tensor& got, float rel_tol = 1e-5f);

// d/d k_proj.bias is exactly 0 (a constant added to a whole softmax row), so it is judged
// absolutely: f32 noise around 0 has no meaningful relative error.
inline constexpr float kStructuralZeroAbs = 1e-5f;
bool is_k_proj_bias(const std::string& parameter_name);

// Loads every parameter of a model from the fixture by name (a missing name fails, which
// also proves the documented name mapping covers every parameter).
void load_fixture_parameters(const Fixture& fx, const std::vector<nn::NamedParameter>& params);
// After a backward pass: each parameter's gradient against the fixture's grad.<name>
// (normwise, k_proj.bias absolutely), and every grad.* of the fixture was compared.
void expect_parameter_grads_match(const Fixture& fx, const std::vector<nn::NamedParameter>& params);

}  // namespace attn::test
