#pragma once
// Graceful stop on SIGINT / SIGTERM: the handlers only record the signal; the
// training loop polls stop_signal() between steps, saves a resumable state and
// returns, and the CLI exits with 128 + signal (130 / 143). A second signal of
// the same kind while the first is pending ends the process at once.
namespace attn::train {

// Installs the handlers (idempotent). Also ignores SIGXFSZ, so that exceeding
// a file-size limit makes write() fail with EFBIG, reported as an error, instead
// of killing the process mid-save.
void install_stop_handlers();

// 0 while no stop was requested, else the signal number.
int stop_signal();

// For tests and embedders: request or clear a stop as if a signal arrived.
void request_stop(int signal_number);
void clear_stop();

}  // namespace attn::train
