#pragma once
// Reading back DIR/metrics.jsonl, the log `tfm train` appends to: one JSON object per line,
//   {"type":"train","step","epoch","elapsed","loss","ppl","lr","tgt_tok_per_s"}  every --log-every steps
//   {"type":"valid","step","epoch","elapsed","loss","ppl","bleu"}                 every validation
// Only the fields the readers use are kept. Lines of another type are skipped, so that the
// trainer may log more kinds of records without breaking older readers.
#include <cstdint>
#include <filesystem>
#include <vector>

namespace tfm::train {

struct TrainRecord {
  int64_t step = 0;
  double loss = 0.0;  // mean negative log-likelihood per target token since the last record
};

struct ValidRecord {
  int64_t step = 0;
  double loss = 0.0;  // mean negative log-likelihood per target token
  double bleu = 0.0;
};

struct MetricsLog {
  std::vector<TrainRecord> train;  // in file order
  std::vector<ValidRecord> valid;
};

// Throws io::FormatError naming the file and line ("DIR/metrics.jsonl:7: ...") for a line
// that is not a JSON object, lacks "type" or a field its type needs, or has a field of the
// wrong JSON type; and naming the file when it cannot be read. Empty lines are skipped.
MetricsLog read_metrics_log(const std::filesystem::path& path);

}  // namespace tfm::train
