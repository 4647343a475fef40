#include "attn/core/thread_pool.h"

#include <algorithm>
#include <memory>

#include "attn/core/blas_threads.h"

namespace attn {

namespace {
std::unique_ptr<ThreadPool>& global_slot() {
  static std::unique_ptr<ThreadPool> pool;
  return pool;
}
thread_local bool t_inside_pool = false;

std::pair<std::int64_t, std::int64_t> chunk_range(std::int64_t n, int chunks, int i) {
  const std::int64_t base = n / chunks, extra = n % chunks;
  const std::int64_t begin = i * base + std::min<std::int64_t>(i, extra);
  return {begin, begin + base + (i < extra ? 1 : 0)};
}
}  // namespace

int ThreadPool::default_threads() {
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

ThreadPool& ThreadPool::global() {
  auto& slot = global_slot();
  if (!slot) {
    slot = std::make_unique<ThreadPool>(default_threads());
    set_blas_threads(slot->size());
  }
  return *slot;
}

void ThreadPool::set_num_threads(int n) {
  n = std::max(1, n);
  auto& slot = global_slot();
  if (!slot || slot->size() != n) slot = std::make_unique<ThreadPool>(n);
  set_blas_threads(n);
}

ThreadPool::ThreadPool(int threads) {
  for (int i = 1; i < std::max(1, threads); ++i)
    workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_start_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::worker_loop(int index) {
  std::uint64_t seen = 0;
  t_inside_pool = true;
  for (;;) {
    const RangeFn* job;
    std::int64_t n;
    int chunks;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_start_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      job = job_;
      n = job_n_;
      chunks = job_chunks_;
    }
    if (index < chunks) {
      auto [b, e] = chunk_range(n, chunks, index);
      try {
        (*job)(b, e);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu_);
        if (!error_) error_ = std::current_exception();
      }
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (--pending_ == 0) cv_done_.notify_one();
    }
  }
}

void ThreadPool::parallel_for(std::int64_t n, std::int64_t grain, RangeFn fn) {
  if (n <= 0) return;
  grain = std::max<std::int64_t>(1, grain);
  const int chunks = static_cast<int>(std::min<std::int64_t>(size(), (n + grain - 1) / grain));
  if (chunks <= 1 || t_inside_pool) {
    fn(0, n);
    return;
  }
  std::lock_guard<std::mutex> run_lock(run_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    job_ = &fn;
    job_n_ = n;
    job_chunks_ = chunks;
    pending_ = static_cast<int>(workers_.size());
    error_ = nullptr;
    ++generation_;
  }
  cv_start_.notify_all();
  std::exception_ptr mine;
  t_inside_pool = true;
  try {
    auto [b, e] = chunk_range(n, chunks, 0);
    fn(b, e);
  } catch (...) {
    mine = std::current_exception();
  }
  t_inside_pool = false;
  std::unique_lock<std::mutex> lock(mu_);
  cv_done_.wait(lock, [&] { return pending_ == 0; });
  if (mine) std::rethrow_exception(mine);
  if (error_) std::rethrow_exception(error_);
}

void parallel_for(std::int64_t n, std::int64_t grain, RangeFn fn) {
  ThreadPool::global().parallel_for(n, grain, fn);
}

}  // namespace attn
