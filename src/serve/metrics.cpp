#include "serve/metrics.h"

#include <algorithm>
#include <sstream>

namespace tfm::serve {

namespace {

std::string with(const std::string& labels, const std::string& more) {
  return "{" + labels + (labels.empty() || more.empty() ? "" : ",") + more + "}";
}

void header(std::ostringstream& out, const char* name, const char* type, const char* help) {
  out << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
}

}  // namespace

void Histogram::observe(double seconds) {
  const size_t bucket = size_t(std::lower_bound(kBounds.begin(), kBounds.end(), seconds) - kBounds.begin());
  std::lock_guard lock(mutex_);
  if (bucket < counts_.size()) ++counts_[bucket];
  ++count_;
  sum_ += seconds;
}

std::string Histogram::render(const std::string& name, const std::string& labels) const {
  std::lock_guard lock(mutex_);
  std::ostringstream out;
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kBounds.size(); ++i) {
    cumulative += counts_[i];
    std::ostringstream bound;
    bound << kBounds[i];
    out << name << "_bucket" << with(labels, "le=\"" + bound.str() + "\"") << " " << cumulative << "\n";
  }
  out << name << "_bucket" << with(labels, "le=\"+Inf\"") << " " << count_ << "\n";
  out << name << "_sum" << (labels.empty() ? "" : with(labels, "")) << " " << sum_ << "\n";
  out << name << "_count" << (labels.empty() ? "" : with(labels, "")) << " " << count_ << "\n";
  return out.str();
}

ModelMetrics& Metrics::model(const std::string& name) {
  std::lock_guard lock(mutex_);
  std::unique_ptr<ModelMetrics>& m = models_[name];
  if (!m) m = std::make_unique<ModelMetrics>();
  return *m;
}

void Metrics::request(const std::string& endpoint, int status, double seconds, const std::string& error_kind) {
  Histogram* histogram;
  {
    std::lock_guard lock(mutex_);
    ++requests_[{endpoint, status}];
    if (!error_kind.empty()) ++errors_[error_kind];
    std::unique_ptr<Histogram>& h = request_seconds_[endpoint];
    if (!h) h = std::make_unique<Histogram>();
    histogram = h.get();
  }
  histogram->observe(seconds);
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::ostringstream out;
  header(out, "tfm_requests_total", "counter", "HTTP requests answered, by endpoint and status code.");
  for (const auto& [key, count] : requests_)
    out << "tfm_requests_total{endpoint=\"" << key.first << "\",code=\"" << key.second << "\"} " << count << "\n";
  header(out, "tfm_errors_total", "counter", "Requests answered with an error, by kind.");
  for (const auto& [kind, count] : errors_) out << "tfm_errors_total{kind=\"" << kind << "\"} " << count << "\n";
  header(out, "tfm_request_duration_seconds", "histogram", "Time from a request's arrival to its answer.");
  for (const auto& [endpoint, h] : request_seconds_)
    out << h->render("tfm_request_duration_seconds", "endpoint=\"" + endpoint + "\"");

  struct Series {
    const char* name;
    const char* type;
    const char* help;
    double (*value)(const ModelMetrics&);
  };
  static const Series series[] = {
      {"tfm_sentences_total", "counter", "Sentences translated.",
       [](const ModelMetrics& m) { return double(m.sentences.load()); }},
      {"tfm_target_tokens_total", "counter", "Pieces of the best translations written.",
       [](const ModelMetrics& m) { return double(m.target_tokens.load()); }},
      {"tfm_decoder_steps_total", "counter", "Decoder steps run.",
       [](const ModelMetrics& m) { return double(m.steps.load()); }},
      {"tfm_decoder_step_rows_total", "counter",
       "Hypotheses decoded, summed over steps (divided by the steps: the mean batch).",
       [](const ModelMetrics& m) { return double(m.step_rows.load()); }},
      {"tfm_queue_depth", "gauge", "Sentences waiting to join the decoder batch.",
       [](const ModelMetrics& m) { return double(m.queue_depth.load()); }},
      {"tfm_batch_rows", "gauge", "Hypotheses in the running decoder batch.",
       [](const ModelMetrics& m) { return double(m.batch_rows.load()); }},
      {"tfm_batch_sentences", "gauge", "Sentences in the running decoder batch.",
       [](const ModelMetrics& m) { return double(m.batch_sentences.load()); }},
      {"tfm_batch_occupancy_ratio", "gauge", "The running batch's share of the token budget (--max-batch-tokens).",
       [](const ModelMetrics& m) {
         return m.max_batch_tokens > 0 ? double(m.batch_tokens.load()) / double(m.max_batch_tokens) : 0.0;
       }},
  };
  for (const Series& s : series) {
    header(out, s.name, s.type, s.help);
    for (const auto& [name, m] : models_) out << s.name << "{model=\"" << name << "\"} " << s.value(*m) << "\n";
  }
  header(out, "tfm_sentence_duration_seconds", "histogram", "Time from a request's arrival to one of its sentences' end.");
  for (const auto& [name, m] : models_) out << m->sentence_seconds.render("tfm_sentence_duration_seconds", "model=\"" + name + "\"");
  return out.str();
}

}  // namespace tfm::serve
