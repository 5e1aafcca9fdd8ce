#pragma once
// Data-parallel training over MPI (Open MPI, as Marian and Horovod use it): the ranks of
// `mpirun -np N tfm train ...` sum their gradients with non-blocking all-reduces of buckets
// of parameters, each started as soon as the backward pass has finished that bucket, and
// waited for before the optimizer step. Every wait on the other ranks during a step has a
// deadline, so that a rank that dies or hangs makes the others stop, naming it, instead of
// leaving them waiting for ever.
#include <mpi.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "train/communicator.h"

namespace tfm::distributed {

// Initialises MPI for this process (one thread calls it; OpenMP threads never do) and
// finalises it; abort() ends every rank of the job.
class MpiSession {
 public:
  MpiSession();
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  // After an error on this rank: the others would otherwise wait for it until their deadline.
  [[noreturn]] void abort(int exit_code);
};

struct MpiOptions {
  int64_t bucket_bytes = int64_t(25) << 20;  // gradients summed by one all-reduce (PyTorch DDP's default)
  double timeout_seconds = 300;              // the longest wait for the other ranks within a step
};

class MpiCommunicator final : public train::Communicator {
 public:
  // Over every rank of the job (the session shows that MPI is initialised).
  MpiCommunicator(const MpiSession& session, MpiOptions options);
  ~MpiCommunicator() override;
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;

  int rank() const override { return rank_; }
  int ranks() const override { return ranks_; }
  int ranks_on_this_machine() const { return local_ranks_; }

  void begin_gradient_sum(ParameterSet& params) override;
  void gradients_final_from(size_t first_entry) override;
  void finish_gradient_sum() override;
  void sum(std::span<double> values) override;
  // Waits without a deadline: rank 0 may be validating or writing a checkpoint meanwhile.
  void broadcast_from_first(std::span<double> values) override;
  void check_identical(uint64_t fingerprint, const std::string& what) override;
  train::CommunicationStatistics take_statistics() override;

 private:
  using Clock = std::chrono::steady_clock;

  // Entries [first, end) of the parameter set, whose gradients lie back to back.
  struct Bucket {
    size_t first, end;
    std::span<float> gradients;
  };

  void plan_buckets(ParameterSet& params);
  void start_bucket(const Bucket& bucket);
  // Waits for `requests` (and then clears them); with a deadline, throws a message naming
  // the ranks that have not reached this step when it passes.
  void wait(std::vector<MPI_Request>& requests, const std::string& what, bool with_deadline);
  std::string missing_ranks_message();
  // A rank waiting on the others answers their questions "are you there?" meanwhile; after a
  // timeout the ranks that do not answer are the dead or hung ones.
  void answer_pings();
  std::string unanswering_ranks();

  MpiOptions options_;
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0, ranks_ = 1, local_ranks_ = 1;

  const ParameterSet* planned_for_ = nullptr;
  std::vector<Bucket> buckets_;  // in the order backward finishes them: last entries first
  size_t next_bucket_ = 0;
  std::vector<MPI_Request> gradient_requests_;

  // Every rank tells every other when it starts a step's gradient sum and when its backward
  // pass is done, so that a wait that times out can say who is missing.
  struct Notices {
    std::vector<int64_t> received;  // per rank: the step it last announced
    std::vector<MPI_Request> receives, sends;
  };
  void announce(Notices& notices, int tag);
  static std::string silent_ranks_of(std::vector<MPI_Request>& receives);  // those not yet received

  int64_t step_ = 0;
  Notices started_, finished_backward_;

  train::CommunicationStatistics statistics_;
};

}  // namespace tfm::distributed
