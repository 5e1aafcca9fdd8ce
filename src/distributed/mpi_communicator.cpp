#include "distributed/mpi_communicator.h"

#include <sched.h>
#include <unistd.h>

#include <cassert>
#include <climits>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace tfm::distributed {

namespace {

constexpr int kStartedTag = 1, kFinishedBackwardTag = 2, kPingTag = 3, kPongTag = 4;

std::string mpi_error_text(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  return std::string(text, size_t(length));
}

void check(int code, const char* call) {
  if (code != MPI_SUCCESS) throw std::runtime_error(std::string(call) + " failed: " + mpi_error_text(code));
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

MpiSession::MpiSession() {
  int provided = 0;
  check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  if (provided < MPI_THREAD_FUNNELED)
    throw std::runtime_error("this MPI library cannot be used from a multi-threaded process (MPI_THREAD_FUNNELED)");
}

MpiSession::~MpiSession() { MPI_Finalize(); }

void MpiSession::abort(int exit_code) {
  std::cerr.flush();
  MPI_Abort(MPI_COMM_WORLD, exit_code);
  std::abort();  // MPI_Abort does not return; this satisfies [[noreturn]]
}

MpiCommunicator::MpiCommunicator(const MpiSession&, MpiOptions options) : options_(options) {
  if (options.bucket_bytes < 1) throw std::invalid_argument("the all-reduce bucket size must be positive");
  if (options.timeout_seconds <= 0) throw std::invalid_argument("the collective timeout must be positive");
  check(MPI_Comm_dup(MPI_COMM_WORLD, &comm_), "MPI_Comm_dup");
  // Errors come back as codes, which become exceptions that name the rank and the operation.
  MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &ranks_);
  MPI_Comm local = MPI_COMM_NULL;
  check(MPI_Comm_split_type(comm_, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &local), "MPI_Comm_split_type");
  MPI_Comm_size(local, &local_ranks_);
  MPI_Comm_free(&local);
  started_.received.assign(size_t(ranks_), 0);
  finished_backward_.received.assign(size_t(ranks_), 0);
}

MpiCommunicator::~MpiCommunicator() {
  if (comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
}

void MpiCommunicator::plan_buckets(ParameterSet& params) {
  buckets_.clear();
  const auto& entries = params.entries();
  const size_t bucket_floats = size_t(options_.bucket_bytes) / sizeof(float);
  size_t end = entries.size();
  while (end > 0) {
    // Grow the bucket downwards while the gradients stay contiguous and within the size;
    // a single parameter over the size gets a bucket of its own.
    size_t first = end - 1;
    while (first > 0) {
      const std::span<float> run = params.gradient_run(first - 1, end);
      if (run.empty() || run.size() > bucket_floats) break;
      --first;
    }
    const std::span<float> run = params.gradient_run(first, end);
    assert(!run.empty() && run.size() <= size_t(INT_MAX));
    buckets_.push_back({first, end, run});
    end = first;
  }
  planned_for_ = &params;
}

void MpiCommunicator::announce(Notices& notices, int tag) {
  notices.receives.assign(size_t(ranks_), MPI_REQUEST_NULL);
  notices.sends.clear();
  for (int r = 0; r < ranks_; ++r) {
    if (r == rank_) continue;
    check(MPI_Irecv(&notices.received[size_t(r)], 1, MPI_INT64_T, r, tag, comm_, &notices.receives[size_t(r)]),
          "MPI_Irecv");
    notices.sends.emplace_back();
    check(MPI_Isend(&step_, 1, MPI_INT64_T, r, tag, comm_, &notices.sends.back()), "MPI_Isend");
  }
}

void MpiCommunicator::begin_gradient_sum(ParameterSet& params) {
  if (planned_for_ != &params) plan_buckets(params);
  const auto start = Clock::now();
  ++step_;
  announce(started_, kStartedTag);
  next_bucket_ = 0;
  statistics_.seconds_in_backward += seconds_since(start);
}

void MpiCommunicator::start_bucket(const Bucket& bucket) {
  gradient_requests_.emplace_back();
  check(MPI_Iallreduce(MPI_IN_PLACE, bucket.gradients.data(), int(bucket.gradients.size()), MPI_FLOAT, MPI_SUM, comm_,
                       &gradient_requests_.back()),
        "MPI_Iallreduce");
  statistics_.gradient_bytes += double(bucket.gradients.size_bytes());
}

void MpiCommunicator::gradients_final_from(size_t first_entry) {
  const auto start = Clock::now();
  while (next_bucket_ < buckets_.size() && buckets_[next_bucket_].first >= first_entry)
    start_bucket(buckets_[next_bucket_++]);
  // Open MPI advances non-blocking collectives only inside MPI calls: give it a turn.
  if (!gradient_requests_.empty()) {
    int done = 0;
    check(MPI_Testall(int(gradient_requests_.size()), gradient_requests_.data(), &done, MPI_STATUSES_IGNORE),
          "MPI_Testall");
  }
  statistics_.seconds_in_backward += seconds_since(start);
}

void MpiCommunicator::finish_gradient_sum() {
  const auto start = Clock::now();
  announce(finished_backward_, kFinishedBackwardTag);
  while (next_bucket_ < buckets_.size()) start_bucket(buckets_[next_bucket_++]);
  const std::string what = "the gradient sum of step " + std::to_string(step_);
  wait(gradient_requests_, what, true);
  for (Notices* notices : {&started_, &finished_backward_}) {
    wait(notices->receives, what, true);
    wait(notices->sends, what, true);
  }
  statistics_.seconds_waiting += seconds_since(start);
  ++statistics_.steps;
}

void MpiCommunicator::sum(std::span<double> values) {
  std::vector<MPI_Request> request(1);
  check(MPI_Iallreduce(MPI_IN_PLACE, values.data(), int(values.size()), MPI_DOUBLE, MPI_SUM, comm_, request.data()),
        "MPI_Iallreduce");
  wait(request, "the totals of step " + std::to_string(step_), true);
}

void MpiCommunicator::broadcast_from_first(std::span<double> values) {
  std::vector<MPI_Request> request(1);
  check(MPI_Ibcast(values.data(), int(values.size()), MPI_DOUBLE, 0, comm_, request.data()), "MPI_Ibcast");
  wait(request, "rank 0's broadcast", false);
}

void MpiCommunicator::check_identical(uint64_t fingerprint, const std::string& what) {
  std::vector<uint64_t> all(static_cast<size_t>(ranks_));
  std::vector<MPI_Request> request(1);
  check(MPI_Iallgather(&fingerprint, 1, MPI_UINT64_T, all.data(), 1, MPI_UINT64_T, comm_, request.data()),
        "MPI_Iallgather");
  wait(request, "the comparison of " + what, true);
  std::ostringstream differing;
  for (int r = 1; r < ranks_; ++r)
    if (all[size_t(r)] != all[0]) differing << (differing.tellp() > 0 ? ", " : "") << r;
  if (differing.tellp() == 0) return;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(all[0]));
  throw std::runtime_error(what + " differ between ranks: rank(s) " + differing.str() +
                           " disagree with rank 0 (fingerprint " + hex +
                           "); the ranks no longer train the same model, so training stops");
}

train::CommunicationStatistics MpiCommunicator::take_statistics() {
  const train::CommunicationStatistics taken = statistics_;
  statistics_ = {};
  return taken;
}

std::string MpiCommunicator::silent_ranks_of(std::vector<MPI_Request>& receives) {
  std::ostringstream silent;
  for (size_t r = 0; r < receives.size(); ++r) {
    int arrived = 1;
    if (receives[r] != MPI_REQUEST_NULL) MPI_Test(&receives[r], &arrived, MPI_STATUS_IGNORE);
    if (!arrived) silent << (silent.tellp() > 0 ? ", " : "") << r;
  }
  return silent.str();
}

void MpiCommunicator::answer_pings() {
  while (true) {
    int pending = 0;
    MPI_Status status;
    check(MPI_Iprobe(MPI_ANY_SOURCE, kPingTag, comm_, &pending, &status), "MPI_Iprobe");
    if (!pending) return;
    int64_t step = 0;
    check(MPI_Recv(&step, 1, MPI_INT64_T, status.MPI_SOURCE, kPingTag, comm_, MPI_STATUS_IGNORE), "MPI_Recv");
    check(MPI_Send(&step, 1, MPI_INT64_T, status.MPI_SOURCE, kPongTag, comm_), "MPI_Send");
  }
}

std::string MpiCommunicator::unanswering_ranks() {
  std::vector<MPI_Request> pings, pongs(size_t(ranks_), MPI_REQUEST_NULL);
  std::vector<int64_t> answers(static_cast<size_t>(ranks_));
  for (int r = 0; r < ranks_; ++r) {
    if (r == rank_) continue;
    check(MPI_Irecv(&answers[size_t(r)], 1, MPI_INT64_T, r, kPongTag, comm_, &pongs[size_t(r)]), "MPI_Irecv");
    pings.emplace_back();
    check(MPI_Isend(&step_, 1, MPI_INT64_T, r, kPingTag, comm_, &pings.back()), "MPI_Isend");
  }
  // A live rank answers as soon as it waits on the others, within a step's time.
  const auto start = Clock::now();
  int all_answered = 0;
  while (!all_answered && seconds_since(start) < options_.timeout_seconds) {
    answer_pings();
    check(MPI_Testall(int(pongs.size()), pongs.data(), &all_answered, MPI_STATUSES_IGNORE), "MPI_Testall");
    sched_yield();
  }
  return silent_ranks_of(pongs);
}

std::string MpiCommunicator::missing_ranks_message() {
  const std::string step = "step " + std::to_string(step_);
  const std::string not_started = silent_ranks_of(started_.receives);
  const std::string not_finished = silent_ranks_of(finished_backward_.receives);
  const std::string unanswering = unanswering_ranks();
  const std::string where = !not_started.empty()    ? "; rank(s) " + not_started + " never started " + step
                            : !not_finished.empty() ? "; rank(s) " + not_finished + " never finished the backward pass of " + step
                                                    : "";
  if (unanswering.empty()) return "yet every rank still answers" + where;
  return "rank(s) " + unanswering + " do not answer (dead or hung)" + where;
}

void MpiCommunicator::wait(std::vector<MPI_Request>& requests, const std::string& what, bool with_deadline) {
  const auto start = Clock::now();
  while (true) {
    int done = 0;
    check(MPI_Testall(int(requests.size()), requests.data(), &done, MPI_STATUSES_IGNORE), "MPI_Testall");
    if (done) break;
    answer_pings();
    if (with_deadline && seconds_since(start) > options_.timeout_seconds) {
      std::ostringstream message;
      message << what << " did not complete within " << options_.timeout_seconds
              << " s (--collective-timeout): " << missing_ranks_message();
      throw std::runtime_error(message.str());
    }
    // Polled, as MPI_Wait would, but leaving the core to whoever needs it; a long wait (rank
    // 0 validating) polls less often.
    if (!with_deadline && seconds_since(start) > 0.1)
      usleep(1000);
    else
      sched_yield();
  }
  requests.clear();
}

}  // namespace tfm::distributed
