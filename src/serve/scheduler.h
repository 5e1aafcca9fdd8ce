#pragma once
// One model's translation loop. Requests queue their sentences; a single thread owns the
// model and its decoder batch. Continuous (step-level) batching: before every decoder step,
// queued sentences are encoded and join the running batch while it stays within the token
// budget, and a sentence that finishes leaves it at once, its request answered as soon as its
// last sentence is done. When sentences must wait for room, the one with the least slack joins
// first: the one whose answer is due soonest if every sentence is to take equally long, its
// arrival less the time its decoding will take (a step per source token at the current step
// time). Long sentences so do not add their length to a wait in the queue, which is what sets
// the slowest answers' latency. Request-level batching, the baseline: one request at a time, its
// sentences sorted by length into batches as `tfm translate` does.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/model_directory.h"
#include "decode/translator.h"
#include "serve/metrics.h"
#include "tfm/translator.h"

namespace tfm::serve {

enum class Batching { continuous, request };

struct SchedulerOptions {
  Batching batching = Batching::continuous;
  int threads = 0;  // 0: every core
  // Continuous batching admits sentences while the sum of beam size x source tokens of the
  // sentences in the batch stays within this (one sentence always fits). 2,048 is some 32
  // Multi30k sentences at beam 4: under heavy load a queue forms, which admission by least
  // slack turns into even latencies (p99 1.4 x the mean at 64 clients, against 2.1 with room
  // for all), for about 5% of throughput (bench/README.md).
  int64_t max_batch_tokens = 2048;
  size_t max_queue = 1024;  // sentences waiting to join; more are refused with 429
  int batch_size = 64;      // request-level batching: sentences decoded together, as `tfm translate`
};

// The sentences of one request, translated by the scheduler and waited for by the caller.
class Job {
 public:
  Job(std::vector<std::string> sentences, const decode::SearchOptions& search, bool attention);

  const std::vector<std::string>& sentences() const { return sentences_; }
  const decode::SearchOptions& search() const { return search_; }
  bool attention() const { return attention_; }

  // Waits until every sentence is translated: true, and translations() holds them in order;
  // or until `timeout` passes: false, and the job's sentences not yet begun are dropped.
  bool wait_for(std::chrono::milliseconds timeout);
  const std::vector<Translation>& translations() const { return translations_; }
  // When sentence `index` was translated (after wait_for returned true).
  std::chrono::steady_clock::time_point completed_at(size_t index) const { return completed_at_[index]; }
  bool cancelled() const { return cancelled_; }

  // The scheduler's side.
  void complete(size_t index, Translation translation);
  std::vector<std::vector<int32_t>> sources;  // what the model reads of each sentence (empty: nothing)
  std::chrono::steady_clock::time_point submitted = std::chrono::steady_clock::now();

 private:
  std::vector<std::string> sentences_;
  decode::SearchOptions search_;
  bool attention_;
  std::vector<Translation> translations_;
  std::vector<std::chrono::steady_clock::time_point> completed_at_;
  size_t remaining_;
  std::mutex mutex_;
  std::condition_variable done_;
  std::atomic<bool> cancelled_ = false;
};

class Scheduler {
 public:
  // Loads the model directory (errors name the file at fault) and starts the loop.
  Scheduler(std::string name, const std::filesystem::path& dir, const SchedulerOptions& options, Metrics& metrics);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Tokenizes the job's sentences and queues them. HttpError 429 when the queue would hold
  // more than max_queue sentences, 503 once stop() has begun.
  void submit(const std::shared_ptr<Job>& job);
  // Refuses new jobs, finishes the queued and running ones, then ends the loop.
  void stop();

  const std::string& name() const { return name_; }
  const std::filesystem::path& directory() const { return directory_; }
  const io::ModelConfig& config() const { return model_.model->config(); }

 private:
  struct Queued {
    std::shared_ptr<Job> job;
    size_t index;
    double start_by = 0;  // continuous batching: seconds, the queue's order (the least slack first)
  };
  void run();
  void run_continuous();
  void run_requests();
  // What may join the batch now (continuous: within `room` tokens), or the next request's
  // sentences (request-level). Waits for work unless `busy`; nullopt once stopping and the
  // queue is empty.
  std::optional<std::vector<Queued>> take(bool busy, int64_t room);
  void finish(const Queued& q, const std::vector<decode::TextHypothesis>& hypotheses);

  std::string name_;
  std::filesystem::path directory_;
  SchedulerOptions options_;
  ModelMetrics& model_metrics_;
  app::ModelDirectory model_;
  decode::Translator translator_;
  std::mutex mutex_;
  std::condition_variable work_;
  std::deque<Queued> queue_;  // continuous batching: by start_by; request-level: in arrival order
  double step_seconds_ = 0;   // a recent decoder step's time (a moving average), under mutex_
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tfm::serve
