#pragma once
// Checkpoint averaging (paper §6.1: the base models average "the last 5 checkpoints"): the
// element-wise mean of several weight files of one architecture, which usually translates
// better than any single one of them. Used by `tfm average`.
#include <filesystem>
#include <vector>

#include "io/safetensors.h"

namespace tfm::train {

// The model.safetensors of the newest `count` (>= 1) checkpoints of model_dir, oldest first.
// Throws std::runtime_error saying how many there are when there are fewer.
std::vector<std::filesystem::path> last_checkpoint_weights(const std::filesystem::path& model_dir, int count);

// Writes to `output` the mean of the newest `count` (>= 1) checkpoints' weights, its metadata
// naming them ("averaged_checkpoints": "step-... step-..."); returns their steps, oldest first.
// Throws as last_checkpoint_weights does.
std::vector<int64_t> average_last_checkpoints(const std::filesystem::path& model_dir, int count,
                                              const std::filesystem::path& output);

// Writes to `output`, atomically, the mean of the weight files `inputs` (at least one): every
// tensor averaged element-wise in double and rounded to F32, in the first file's tensor order.
// All files must hold the same tensor names with the same shapes; otherwise an io::FormatError
// names the file and the tensor, and `output` is left as it was. `output` may be one of the
// inputs.
void average_weight_files(const std::vector<std::filesystem::path>& inputs, const std::filesystem::path& output,
                          const io::Metadata& metadata = {});

}  // namespace tfm::train
