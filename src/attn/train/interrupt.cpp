#include "attn/train/interrupt.h"

#include <csignal>

namespace attn::train {
namespace {

// Only lock-free atomics / sig_atomic_t may be touched from a signal handler.
volatile std::sig_atomic_t pending = 0;

extern "C" void on_stop_signal(int sig) {
  if (pending == sig) {  // asked twice: the user does not want to wait for the save
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  pending = sig;
}

}  // namespace

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;  // blocking reads and writes resume instead of failing with EINTR
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGXFSZ, SIG_IGN);
}

int stop_signal() { return pending; }
void request_stop(int signal_number) { pending = signal_number; }
void clear_stop() { pending = 0; }

}  // namespace attn::train
