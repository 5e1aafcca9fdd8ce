#pragma once
// What GET /metrics reports, in Prometheus' text format (version 0.0.4): counters only go up,
// gauges are the state now, histograms count observations per upper bound.
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace tfm::serve {

class Histogram {
 public:
  // Upper bounds in seconds: 5 ms to a minute.
  static constexpr std::array<double, 14> kBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                     1.0,   2.5,  5.0,   10.0, 20.0, 30.0, 60.0};
  void observe(double seconds);
  // The _bucket, _sum and _count lines of `name` with `labels` ("" or `key="value"`).
  std::string render(const std::string& name, const std::string& labels) const;

 private:
  mutable std::mutex mutex_;
  std::array<uint64_t, kBounds.size()> counts_{};  // per bucket, not cumulative
  uint64_t count_ = 0;
  double sum_ = 0.0;
};

// One model's figures, written by its scheduler.
struct ModelMetrics {
  std::atomic<uint64_t> sentences{0};       // translated
  std::atomic<uint64_t> target_tokens{0};   // pieces of the best translations, EOS excluded
  std::atomic<uint64_t> steps{0};           // decoder steps
  std::atomic<uint64_t> step_rows{0};       // rows summed over steps: / steps = mean batch rows
  std::atomic<int64_t> queue_depth{0};      // sentences waiting
  std::atomic<int64_t> batch_rows{0};       // hypotheses in the running batch
  std::atomic<int64_t> batch_sentences{0};  // sentences in it
  std::atomic<int64_t> batch_tokens{0};     // its share of the token budget
  int64_t max_batch_tokens = 0;
  Histogram sentence_seconds;               // from the request's arrival to the sentence's end
};

class Metrics {
 public:
  ModelMetrics& model(const std::string& name);
  // An answered request; 4xx and 5xx ones also count as errors of `kind` (empty for 2xx).
  void request(const std::string& endpoint, int status, double seconds, const std::string& error_kind);
  std::string render() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<ModelMetrics>> models_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;  // (endpoint, status)
  std::map<std::string, uint64_t> errors_;                    // by kind
  std::map<std::string, std::unique_ptr<Histogram>> request_seconds_;  // by endpoint
};

}  // namespace tfm::serve
