#pragma once
// One persistent thread pool for the whole program. parallel_for splits a
// range into one contiguous chunk per thread (static partitioning), so which
// thread computes which element depends only on the range and thread count:
// with a fixed --threads results are bit-identical run to run.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace attn {

// A non-owning reference to a callable fn(begin, end), like C++26's
// std::function_ref: parallel_for waits for every chunk before returning, so the
// callable outlives its use, and unlike std::function nothing is copied to the
// heap however much a lambda captures (the hot loop makes thousands of calls).
class RangeFn {
 public:
  template <typename F>
  requires std::is_invocable_v<const F&, std::int64_t, std::int64_t> &&
      (!std::is_same_v<std::remove_cvref_t<F>, RangeFn>)
          RangeFn(const F& f)  // NOLINT(google-explicit-constructor): lambdas convert implicitly
      : obj_(static_cast<const void*>(std::addressof(f))),
        call_([](const void* o, std::int64_t b, std::int64_t e) {
          (*static_cast<const F*>(o))(b, e);
        }) {}
  void operator()(std::int64_t b, std::int64_t e) const { call_(obj_, b, e); }

 private:
  const void* obj_;
  void (*call_)(const void*, std::int64_t, std::int64_t);
};

class ThreadPool {
 public:
  static ThreadPool& global();
  // Resizes the global pool (and OpenBLAS's thread count to match).
  static void set_num_threads(int n);
  static int default_threads();  // hardware concurrency, at least 1

  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // Calls fn(begin, end) on disjoint chunks covering [0, n). Chunks smaller than
  // `grain` elements are not split further. Runs inline when there is one chunk.
  // Exceptions thrown by fn are rethrown on the calling thread.
  void parallel_for(std::int64_t n, std::int64_t grain, RangeFn fn);

 private:
  void worker_loop(int index);
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable cv_start_, cv_done_;
  const RangeFn* job_ = nullptr;
  std::int64_t job_n_ = 0;
  int job_chunks_ = 0;
  std::uint64_t generation_ = 0;
  int pending_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
  std::mutex run_mu_;  // one parallel_for at a time; nested calls run inline
};

// Shorthand for ThreadPool::global().parallel_for.
void parallel_for(std::int64_t n, std::int64_t grain, RangeFn fn);

}  // namespace attn
