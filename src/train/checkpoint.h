#pragma once
// Resumable training state in a model directory:
//   DIR/checkpoints/step-<N>/model.safetensors      weights after step N
//   DIR/checkpoints/step-<N>/optimizer.safetensors  Adam moments (exp_avg.<name>, exp_avg_sq.<name>)
//                                                   and the moving average of the weights if the run
//                                                   keeps one (moving_average.<name>); the latest
//                                                   checkpoint's alone
//   DIR/checkpoints/step-<N>/state.json             step, data position, best score, elapsed time
//   DIR/checkpoints/latest                          the name of the newest complete checkpoint
// A checkpoint is written into DIR/checkpoints/partial-step-<N>/, renamed to step-<N> once
// complete, and only then named by `latest`; older ones are removed only after. A kill at
// any moment thus leaves every step-<N> complete and `latest` naming one of them.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "nn/transformer.h"
#include "train/adam.h"
#include "train/batcher.h"
#include "train/moving_average.h"

namespace tfm::train {

// "step-<N>", N in 9 digits: the directory name of checkpoint N; and back, from its directory.
std::string checkpoint_name(int64_t step);
int64_t checkpoint_step(const std::filesystem::path& checkpoint_dir);

// Where training writes the mean of its last checkpoints before judging it; a killed run's
// is removed by remove_unfinished_writes.
std::filesystem::path average_candidate_path(const std::filesystem::path& model_dir);

struct TrainingState {
  int64_t step = 0;             // optimizer steps taken
  BatchPosition position;       // the next batch
  double elapsed_seconds = 0;   // training time before this run, for --time-limit and logs
  double best_score = 0;        // best validation BLEU so far
  double best_loss = 0;         // its validation loss, which breaks ties (BLEU can stay 0 on short outputs)
  int64_t best_step = 0;
  int evaluations_without_improvement = 0;
};

// Writes checkpoint `state.step` (with `average` when the run keeps one), switches `latest` to
// it, and keeps the newest `keep` (>= 1), the older of them without their optimizer state.
void save_checkpoint(const std::filesystem::path& model_dir, const nn::Transformer& model, const Adam& adam,
                     const MovingAverage* average, const TrainingState& state, int keep);

// The newest complete checkpoint's directory, if any.
std::optional<std::filesystem::path> latest_checkpoint(const std::filesystem::path& model_dir);

// Restores weights, Adam moments and state from a checkpoint directory; errors name the file.
// With `average`, restores it too when the checkpoint has one (a run that kept none until then
// leaves it without updates).
TrainingState load_checkpoint(const std::filesystem::path& checkpoint_dir, nn::Transformer& model, Adam& adam,
                              MovingAverage* average);

// Removes what a killed run left half-written in the model directory: partial checkpoints
// and atomic writes' temporary files. Only for a caller that holds the directory's lock.
void remove_unfinished_writes(const std::filesystem::path& model_dir);

// Every checkpoint directory, oldest first.
std::vector<std::filesystem::path> list_checkpoints(const std::filesystem::path& model_dir);

}  // namespace tfm::train
