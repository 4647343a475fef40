#include "fixture.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>

#include "test_util.h"

namespace attn::test {

namespace {

constexpr const char* kMagic = "attn-fixture";
constexpr int kVersion = 1;

std::string read_bytes(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  ATTN_CHECK(f.good(), "fixture: cannot open {} (regenerate with `make fixtures`)", p.string());
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

DType parse_dtype(const std::string& s, const std::string& where) {
  if (s == "f32") return DType::f32;
  if (s == "i32") return DType::i32;
  if (s == "u8") return DType::u8;
  fail("fixture {}: unknown dtype '{}' (expected f32, i32 or u8)", where, s);
}

// One entry of "tensors": checks shape/size consistency and copies the bytes out.
Tensor read_tensor(const nlohmann::json& meta, const std::string& blob, const std::string& where) {
  const DType dtype = parse_dtype(meta.at("dtype").get<std::string>(), where);
  const Shape shape = meta.at("shape").get<Shape>();
  for (std::int64_t d : shape) ATTN_CHECK(d >= 0, "fixture {}: negative dimension", where);
  const auto offset = meta.at("offset").get<std::uint64_t>();
  const auto nbytes = meta.at("nbytes").get<std::uint64_t>();
  const std::uint64_t want = static_cast<std::uint64_t>(shape_numel(shape)) * dtype_size(dtype);
  ATTN_CHECK(nbytes == want, "fixture {}: nbytes {} but shape {} of {} needs {}", where, nbytes,
             shape_str(shape), dtype_name(dtype), want);
  ATTN_CHECK(offset <= blob.size() && nbytes <= blob.size() - offset,
             "fixture {}: bytes [{}, {}) past the end of the .bin ({} bytes)", where, offset,
             offset + nbytes, blob.size());
  Tensor t = Tensor::empty(shape, dtype);
  // The data is little-endian like every machine attn targets, so a plain copy.
  if (nbytes > 0) std::memcpy(t.raw(), blob.data() + offset, nbytes);
  return t;
}

}  // namespace

const Tensor& Fixture::at(const std::string& tensor) const {
  auto it = tensors.find(tensor);
  if (it != tensors.end()) return it->second;
  std::string known;
  for (const auto& [k, v] : tensors) known += (known.empty() ? "" : ", ") + k;
  fail("fixture {}: no tensor '{}' (has: {})", name, tensor, known);
}

std::vector<std::int32_t> Fixture::ids(const std::string& tensor) const {
  const Tensor& t = at(tensor);
  ATTN_CHECK(t.dtype() == DType::i32, "fixture {}: tensor '{}' is {}, expected i32", name, tensor,
             dtype_name(t.dtype()));
  const auto* p = t.data_as<std::int32_t>();
  return {p, p + t.numel()};
}

std::vector<float> Fixture::floats(const std::string& tensor) const {
  const Tensor& t = at(tensor);
  ATTN_CHECK(t.dtype() == DType::f32, "fixture {}: tensor '{}' is {}, expected f32", name, tensor,
             dtype_name(t.dtype()));
  return t.to_vector();
}

Fixture load_fixture(const std::string& case_name) {
  return load_fixture(fixtures_dir(), case_name);
}

Fixture load_fixture(const std::filesystem::path& dir, const std::string& case_name) {
  const auto base = dir / case_name;
  const std::string json_path = base.string() + ".json";
  const std::string bin_path = base.string() + ".bin";
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(read_bytes(json_path));
  } catch (const nlohmann::json::exception& e) {
    fail("fixture {}: {}", json_path, e.what());
  }
  Fixture fx;
  fx.name = case_name;
  try {
    ATTN_CHECK(doc.value("magic", "") == kMagic, "fixture {}: magic '{}', expected '{}'", json_path,
               doc.value("magic", ""), kMagic);
    ATTN_CHECK(doc.value("version", -1) == kVersion, "fixture {}: version {}, expected {}",
               json_path, doc.value("version", -1), kVersion);
    const std::string blob = read_bytes(bin_path);
    for (const auto& [tname, meta] : doc.at("tensors").items())
      fx.tensors[tname] = read_tensor(meta, blob, case_name + "/" + tname);
    fx.params = doc.value("params", nlohmann::json::object());
  } catch (const nlohmann::json::exception& e) {
    fail("fixture {}: malformed metadata: {}", json_path, e.what());
  }
  return fx;
}

Variable fixture_param(const Fixture& fx, const std::string& tensor) {
  const Tensor& t = fx.at(tensor);
  ATTN_CHECK(t.dtype() == DType::f32, "fixture {}: tensor '{}' is {}, expected f32", fx.name,
             tensor, dtype_name(t.dtype()));
  return Variable(t.clone(), true, tensor);
}

void backward_with_gout(Tape& tape, const Variable& y, const Tensor& gout) {
  ATTN_CHECK(y.value().numel() == gout.numel(), "backward_with_gout: y {} vs gout {}",
             shape_str(y.shape()), shape_str(gout.shape()));
  Variable loss(Tensor::zeros({1}), true);
  // Recorded last, so it runs first: d loss/d y = gout * d loss/d loss.
  tape.record([y, gout, loss] {
    const float s = loss.grad().data()[0];
    float* dy = y.grad().data();
    const float* g = gout.data();
    for (std::int64_t i = 0; i < gout.numel(); ++i) dy[i] += s * g[i];
  });
  tape.backward(loss);
}

::testing::AssertionResult fixture_close(const Fixture& fx, const std::string& tensor,
                                         const Tensor& got, float rel_tol, float floor) {
  const Tensor& want = fx.at(tensor);
  const Tensor g = (got.numel() == 1 && want.numel() == 1) ? got.reshape(want.shape()) : got;
  auto r = all_close(g, want, rel_tol, floor);
  if (!r) r << " [fixture " << fx.name << ", tensor " << tensor << "]";
  return r;
}

::testing::AssertionResult fixture_close_normwise(const Fixture& fx, const std::string& tensor,
                                                  const Tensor& got, float rel_tol) {
  auto r = all_close_normwise(got, fx.at(tensor), rel_tol);
  if (!r) r << " [fixture " << fx.name << ", tensor " << tensor << "]";
  return r;
}

bool is_k_proj_bias(const std::string& name) {
  const std::string suffix = "k_proj.bias";
  return name.size() >= suffix.size() &&
         name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void load_fixture_parameters(const Fixture& fx, const std::vector<nn::NamedParameter>& params) {
  for (const auto& p : params) {
    ASSERT_TRUE(fx.has(p.name)) << "fixture " << fx.name << " lacks " << p.name;
    Variable v = p.var;
    v.value().copy_from(fx.at(p.name));
  }
}

void expect_parameter_grads_match(const Fixture& fx,
                                  const std::vector<nn::NamedParameter>& params) {
  std::size_t checked = 0;
  for (const auto& p : params) {
    ASSERT_TRUE(p.var.has_grad()) << p.name;
    if (is_k_proj_bias(p.name)) {
      float worst = 0;
      for (float v : p.var.grad().to_vector()) worst = std::max(worst, std::fabs(v));
      EXPECT_LE(worst, kStructuralZeroAbs) << p.name;
    } else {
      EXPECT_TRUE(fixture_close_normwise(fx, "grad." + p.name, p.var.grad())) << p.name;
    }
    ++checked;
  }
  std::size_t in_fixture = 0;
  for (const auto& [name, t] : fx.tensors) in_fixture += name.rfind("grad.", 0) == 0 ? 1 : 0;
  EXPECT_EQ(checked, in_fixture);
}

}  // namespace attn::test
