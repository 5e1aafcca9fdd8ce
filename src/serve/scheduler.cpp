#include "serve/scheduler.h"

#include <algorithm>
#include <iostream>
#include <unordered_map>

#include "api/translation.h"
#include "decode/search_batch.h"
#include "kernels/matmul.h"
#include "serve/http_error.h"

namespace tfm::serve {

Job::Job(std::vector<std::string> sentences, const decode::SearchOptions& search, bool attention)
    : sentences_(std::move(sentences)),
      search_(search),
      attention_(attention),
      translations_(sentences_.size()),
      completed_at_(sentences_.size()),
      remaining_(sentences_.size()) {}

bool Job::wait_for(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (done_.wait_for(lock, timeout, [&] { return remaining_ == 0; })) return true;
  cancelled_ = true;
  return false;
}

void Job::complete(size_t index, Translation translation) {
  std::lock_guard lock(mutex_);
  translations_[index] = std::move(translation);
  completed_at_[index] = std::chrono::steady_clock::now();
  if (--remaining_ == 0) done_.notify_all();
}

Scheduler::Scheduler(std::string name, const std::filesystem::path& dir, const SchedulerOptions& options,
                     Metrics& metrics)
    : name_(std::move(name)),
      directory_(dir),
      options_(options),
      model_metrics_(metrics.model(name_)),
      model_(app::load_model_directory(dir)),
      translator_(*model_.model, model_.tokenizer) {
  model_metrics_.max_batch_tokens = options_.max_batch_tokens;
  thread_ = std::thread([this] { run(); });
}

Scheduler::~Scheduler() { stop(); }

void Scheduler::submit(const std::shared_ptr<Job>& job) {
  // Tokenizing is the caller's thread's work: the scheduler's goes to the model alone.
  const decode::TranslateOptions options;
  for (size_t i = 0; i < job->sentences().size(); ++i) {
    size_t pieces = 0;
    job->sources.push_back(translator_.source_ids(job->sentences()[i], options, &pieces));
    if (!job->sources[i].empty() && pieces >= job->sources[i].size())
      throw HttpError(413, "sentence " + std::to_string(i) + " has " + std::to_string(pieces) +
                               " pieces; model \"" + name_ + "\" reads at most " +
                               std::to_string(job->sources[i].size() - 1));
  }
  std::vector<size_t> to_queue;
  for (size_t i = 0; i < job->sources.size(); ++i) {
    if (job->sources[i].empty())
      job->complete(i, Translation{{Hypothesis{}}, std::nullopt});  // an empty sentence: an empty translation
    else
      to_queue.push_back(i);
  }
  if (to_queue.empty()) return;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) throw HttpError(503, "the server is shutting down");
    if (queue_.size() + to_queue.size() > options_.max_queue)
      throw HttpError(429, "the queue of model \"" + name_ + "\" is full (" + std::to_string(queue_.size()) +
                               " sentences waiting, limit " + std::to_string(options_.max_queue) +
                               "); try again later");
    for (size_t i : to_queue) {
      if (options_.batching == Batching::request) {
        queue_.push_back({job, i});
        continue;
      }
      // Output length taken as the source's: close enough for ordering, and known now.
      const double submitted = std::chrono::duration<double>(job->submitted.time_since_epoch()).count();
      const Queued q{job, i, submitted - double(job->sources[i].size()) * step_seconds_};
      queue_.insert(std::upper_bound(queue_.begin(), queue_.end(), q,
                                     [](const Queued& a, const Queued& b) { return a.start_by < b.start_by; }),
                    q);
    }
    model_metrics_.queue_depth = int64_t(queue_.size());
  }
  work_.notify_one();
}

void Scheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_.notify_one();
  if (thread_.joinable()) thread_.join();
}

std::optional<std::vector<Scheduler::Queued>> Scheduler::take(bool busy, int64_t room) {
  std::unique_lock lock(mutex_);
  std::vector<Queued> taken;
  while (taken.empty()) {
    work_.wait(lock, [&] { return busy || stopping_ || !queue_.empty(); });
    while (!queue_.empty()) {
      Queued& q = queue_.front();
      if (q.job->cancelled()) {  // timed out while waiting: nobody reads it
        queue_.pop_front();
        continue;
      }
      if (options_.batching == Batching::request) {
        if (!taken.empty() && taken.front().job != q.job) break;
      } else {
        const int64_t cost = int64_t(q.job->sources[q.index].size()) * q.job->search().beam_size;
        if (cost > room && (busy || !taken.empty())) break;
        room -= cost;
      }
      taken.push_back(std::move(q));
      queue_.pop_front();
    }
    model_metrics_.queue_depth = int64_t(queue_.size());
    if (busy) break;
    if (taken.empty() && stopping_) return std::nullopt;
  }
  return taken;
}

void Scheduler::finish(const Queued& q, const std::vector<decode::TextHypothesis>& hypotheses) {
  const Job& job = *q.job;
  model_metrics_.sentences += 1;
  model_metrics_.target_tokens += hypotheses.front().tokens.size();
  model_metrics_.sentence_seconds.observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - job.submitted).count());
  if (job.cancelled()) return;
  q.job->complete(q.index, api::make_translation(*model_.model, model_.tokenizer, job.sources[q.index], hypotheses,
                                                 job.attention()));
}

void Scheduler::run() {
  kernels::set_num_threads(options_.threads);  // OpenMP's setting is per thread: this one's
  try {
    if (options_.batching == Batching::continuous)
      run_continuous();
    else
      run_requests();
  } catch (const std::exception& e) {
    // A bug, not a request's fault: nothing can be answered any more.
    std::cerr << "tfm serve: model \"" << name_ << "\" failed: " << e.what() << std::endl;
    std::abort();
  }
}

void Scheduler::run_continuous() {
  Workspace workspace;
  decode::SearchBatch batch(*model_.model, workspace);
  std::unordered_map<uint64_t, Queued> running;
  uint64_t next_id = 0;
  int64_t batch_tokens = 0;
  for (;;) {
    std::optional<std::vector<Queued>> joining = take(!batch.empty(), options_.max_batch_tokens - batch_tokens);
    if (!joining) return;  // stopping, and all done
    std::vector<decode::SearchBatch::Sentence> sentences;
    for (Queued& q : *joining) {
      const std::vector<int32_t>& source = q.job->sources[q.index];
      sentences.push_back({next_id, source, q.job->search()});
      batch_tokens += int64_t(source.size()) * q.job->search().beam_size;
      running.emplace(next_id++, std::move(q));
    }
    const auto step_start = std::chrono::steady_clock::now();
    batch.add(sentences);
    model_metrics_.steps += 1;
    model_metrics_.step_rows += uint64_t(batch.rows());
    model_metrics_.batch_rows = batch.rows();
    model_metrics_.batch_sentences = int64_t(batch.sentences());
    model_metrics_.batch_tokens = batch_tokens;
    const std::vector<decode::SearchBatch::Finished> finished = batch.step();
    {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - step_start).count();
      std::lock_guard lock(mutex_);
      step_seconds_ = step_seconds_ == 0 ? seconds : 0.9 * step_seconds_ + 0.1 * seconds;
    }
    for (const decode::SearchBatch::Finished& f : finished) {
      auto it = running.find(f.id);
      const Queued q = std::move(it->second);
      running.erase(it);
      batch_tokens -= int64_t(q.job->sources[q.index].size()) * q.job->search().beam_size;
      std::vector<decode::TextHypothesis> hypotheses;
      for (const decode::Hypothesis& h : f.hypotheses) hypotheses.push_back(translator_.text_of(h));
      finish(q, hypotheses);
    }
    model_metrics_.batch_rows = batch.rows();
    model_metrics_.batch_sentences = int64_t(batch.sentences());
    model_metrics_.batch_tokens = batch_tokens;
  }
}

void Scheduler::run_requests() {
  for (;;) {
    const std::optional<std::vector<Queued>> taken = take(false, 0);
    if (!taken) return;  // stopping, and all done
    const std::vector<Queued>& request = *taken;
    std::vector<std::string> lines;
    for (const Queued& q : request) lines.push_back(q.job->sentences()[q.index]);
    decode::TranslateOptions options;
    options.search = request.front().job->search();
    options.batch_size = options_.batch_size;
    model_metrics_.batch_sentences = int64_t(lines.size());
    const auto results = translator_.translate(lines, options);
    model_metrics_.batch_sentences = 0;
    for (size_t i = 0; i < request.size(); ++i) finish(request[i], results[i]);
  }
}

}  // namespace tfm::serve
