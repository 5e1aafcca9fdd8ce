#pragma once
// The processes ("ranks") of a data-parallel training run, as the trainer sees them: what
// they exchange and when. Every rank holds the whole model, reads its share of every batch,
// and applies the same optimizer step to the same summed gradient. The core knows only this
// interface and its one-process case; src/distributed/ implements it over MPI.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "tensor/parameters.h"

namespace tfm::train {

// Where the time of communication went, summed since the last take_statistics().
struct CommunicationStatistics {
  int64_t steps = 0;                // gradient sums
  double gradient_bytes = 0;        // summed per rank
  double seconds_in_backward = 0;   // in the library while backward ran: starting and advancing sums
  double seconds_waiting = 0;       // after backward, until every sum had arrived: what overlap did not hide
};

class Communicator {
 public:
  virtual ~Communicator() = default;

  virtual int rank() const = 0;   // 0 .. ranks() - 1; rank 0 alone writes files and logs
  virtual int ranks() const = 0;

  // The gradient sum of one optimizer step, overlapped with its (last) backward pass:
  // begin before it, gradients_final_from(i) each time backward has finished the gradients
  // of entries i.. of `params` (nn::StepContext forwards it), finish after it. When finish
  // returns every rank holds the sum over ranks of every gradient.
  virtual void begin_gradient_sum(ParameterSet& params) = 0;
  virtual void gradients_final_from(size_t first_entry) = 0;
  virtual void finish_gradient_sum() = 0;

  // In place, on every rank: the element-wise sum over ranks; rank 0's values.
  virtual void sum(std::span<double> values) = 0;
  virtual void broadcast_from_first(std::span<double> values) = 0;

  // Throws, on every rank, an error naming the ranks whose `fingerprint` differs from rank
  // 0's; `what` says what it is a fingerprint of ("weights after step 200").
  virtual void check_identical(uint64_t fingerprint, const std::string& what) = 0;

  virtual CommunicationStatistics take_statistics() = 0;
};

// A run of one process: nothing to exchange.
class SingleProcess final : public Communicator {
 public:
  int rank() const override { return 0; }
  int ranks() const override { return 1; }
  void begin_gradient_sum(ParameterSet&) override {}
  void gradients_final_from(size_t) override {}
  void finish_gradient_sum() override {}
  void sum(std::span<double>) override {}
  void broadcast_from_first(std::span<double>) override {}
  void check_identical(uint64_t, const std::string&) override {}
  CommunicationStatistics take_statistics() override { return {}; }
};

// A shared one-process communicator, the default of the trainer and train_step.
Communicator& single_process();

// A 64-bit fingerprint of every parameter's values (their bits, in order): equal weights
// give equal fingerprints; a difference in any bit almost surely changes it.
uint64_t weights_fingerprint(const ParameterSet& params);

}  // namespace tfm::train
