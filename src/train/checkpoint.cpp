#include "train/checkpoint.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "io/atomic_file.h"
#include "io/format_error.h"
#include "io/model_weights.h"
#include "io/safetensors.h"

namespace tfm::train {

namespace fs = std::filesystem;

std::string checkpoint_name(int64_t step) {
  char name[32];
  std::snprintf(name, sizeof name, "step-%09lld", static_cast<long long>(step));
  return name;
}

int64_t checkpoint_step(const fs::path& checkpoint_dir) {
  return std::stoll(checkpoint_dir.filename().string().substr(std::string("step-").size()));
}

fs::path average_candidate_path(const fs::path& model_dir) { return model_dir / "checkpoints" / "average.safetensors"; }

namespace {

// A checkpoint being written; a crash can leave one behind, never a half-written step-<N>.
const std::string kPartialPrefix = "partial-";
// The moving average's tensors and its number of updates in optimizer.safetensors.
const std::string kAveragePrefix = "moving_average.";
const std::string kAverageUpdates = "moving_average_updates";

void save_optimizer(const fs::path& path, const nn::Transformer& model, const Adam& adam,
                    const MovingAverage* average) {
  std::vector<io::TensorToWrite> tensors;
  io::Metadata metadata{{"step", std::to_string(adam.steps_taken())}};
  const auto& entries = model.parameters().entries();
  for (size_t i = 0; i < entries.size(); ++i) {
    std::vector<int64_t> shape;
    for (int d = 0; d < entries[i].param.value.shape.rank(); ++d) shape.push_back(entries[i].param.value.shape[d]);
    tensors.push_back({"exp_avg." + entries[i].name, io::Dtype::F32, shape, adam.first_moments()[i].data()});
    tensors.push_back({"exp_avg_sq." + entries[i].name, io::Dtype::F32, shape, adam.second_moments()[i].data()});
    if (average) tensors.push_back({kAveragePrefix + entries[i].name, io::Dtype::F32, shape, average->values()[i].data()});
  }
  if (average) metadata[kAverageUpdates] = std::to_string(average->updates());
  io::write_safetensors(path, tensors, metadata);
}

void load_optimizer(const fs::path& path, const nn::Transformer& model, Adam& adam, MovingAverage* average) {
  const io::SafetensorsReader reader(path);
  const bool has_average = reader.metadata().contains(kAverageUpdates);
  const auto& entries = model.parameters().entries();
  for (size_t i = 0; i < entries.size(); ++i) {
    reader.read_float32("exp_avg." + entries[i].name, adam.first_moments()[i]);
    reader.read_float32("exp_avg_sq." + entries[i].name, adam.second_moments()[i]);
    if (average && has_average) reader.read_float32(kAveragePrefix + entries[i].name, average->values()[i]);
  }
  auto count = [&](const std::string& key) -> int64_t {
    const auto found = reader.metadata().find(key);
    if (found == reader.metadata().end()) throw io::FormatError(path.string() + ": metadata has no \"" + key + "\"");
    try {
      return std::stoll(found->second);
    } catch (const std::logic_error&) {
      throw io::FormatError(path.string() + ": metadata \"" + key + "\" is not a number: \"" + found->second + "\"");
    }
  };
  adam.set_steps_taken(count("step"));
  if (average && has_average) average->set_updates(count(kAverageUpdates));
}

void write_checkpoint_files(const fs::path& dir, const nn::Transformer& model, const Adam& adam,
                            const MovingAverage* average, const TrainingState& state) {
  fs::create_directories(dir);
  io::save_parameters(dir / "model.safetensors", model.parameters());
  save_optimizer(dir / "optimizer.safetensors", model, adam, average);
  const nlohmann::ordered_json j = {{"step", state.step},
                                    {"epoch", state.position.epoch},
                                    {"batch", state.position.batch},
                                    {"elapsed_seconds", state.elapsed_seconds},
                                    {"best_score", state.best_score},
                                    {"best_loss", state.best_loss},
                                    {"best_step", state.best_step},
                                    {"evaluations_without_improvement", state.evaluations_without_improvement}};
  io::write_file_atomically(dir / "state.json", j.dump(2) + "\n");
}

}  // namespace

std::vector<fs::path> list_checkpoints(const fs::path& model_dir) {
  std::vector<fs::path> found;
  const fs::path root = model_dir / "checkpoints";
  if (!fs::is_directory(root)) return found;
  for (const auto& entry : fs::directory_iterator(root))
    if (entry.is_directory() && entry.path().filename().string().starts_with("step-")) found.push_back(entry.path());
  std::sort(found.begin(), found.end());  // zero-padded step numbers sort in order
  return found;
}

void remove_unfinished_writes(const fs::path& model_dir) {
  for (const fs::path& dir : {model_dir, model_dir / "checkpoints"}) {
    if (!fs::is_directory(dir)) continue;
    for (const auto& entry : fs::directory_iterator(dir)) {
      const std::string name = entry.path().filename().string();
      if (name.starts_with(kPartialPrefix) || io::is_atomic_file_temporary(entry.path()) ||
          entry.path() == average_candidate_path(model_dir))
        fs::remove_all(entry.path());
    }
  }
}

void save_checkpoint(const fs::path& model_dir, const nn::Transformer& model, const Adam& adam,
                     const MovingAverage* average, const TrainingState& state, int keep) {
  const fs::path root = model_dir / "checkpoints";
  const std::string name = checkpoint_name(state.step);
  const fs::path partial = root / (kPartialPrefix + name);
  fs::remove_all(partial);
  try {
    write_checkpoint_files(partial, model, adam, average, state);
  } catch (...) {
    std::error_code ignored;  // a full disk or a lost permission: the first error is the one to report
    fs::remove_all(partial, ignored);
    throw;
  }
  // A step-<N> that `latest` does not name is a killed run's, from before it switched
  // `latest`: this one replaces it.
  const fs::path dir = root / name;
  assert(latest_checkpoint(model_dir) != dir && "a new checkpoint never replaces the latest");
  fs::remove_all(dir);
  fs::rename(partial, dir);
  io::sync_directory(root);
  io::write_file_atomically(root / "latest", name + "\n");
  // Only now may older checkpoints go, and the older ones kept lose their optimizer state:
  // a run resumes from the latest, and averaging needs weights alone.
  const auto all = list_checkpoints(model_dir);
  const size_t kept = size_t(std::max(keep, 1));
  for (size_t i = 0; i + 1 < all.size(); ++i) {
    if (i + kept < all.size())
      fs::remove_all(all[i]);
    else
      fs::remove(all[i] / "optimizer.safetensors");
  }
}

std::optional<fs::path> latest_checkpoint(const fs::path& model_dir) {
  std::ifstream in(model_dir / "checkpoints" / "latest");
  std::string name;
  if (!(in >> name)) return std::nullopt;
  const fs::path dir = model_dir / "checkpoints" / name;
  if (!fs::exists(dir / "state.json"))
    throw io::FormatError((model_dir / "checkpoints" / "latest").string() + " names " + name +
                          ", which has no state.json");
  return dir;
}

TrainingState load_checkpoint(const fs::path& dir, nn::Transformer& model, Adam& adam, MovingAverage* average) {
  io::load_parameters(dir / "model.safetensors", model.parameters());
  load_optimizer(dir / "optimizer.safetensors", model, adam, average);
  const fs::path state_path = dir / "state.json";
  std::ifstream in(state_path);
  nlohmann::json j;
  try {
    in >> j;
    TrainingState s;
    s.step = j.at("step").get<int64_t>();
    s.position.epoch = j.at("epoch").get<int64_t>();
    s.position.batch = j.at("batch").get<int64_t>();
    s.elapsed_seconds = j.at("elapsed_seconds").get<double>();
    s.best_score = j.at("best_score").get<double>();
    s.best_loss = j.at("best_loss").get<double>();
    s.best_step = j.at("best_step").get<int64_t>();
    s.evaluations_without_improvement = j.at("evaluations_without_improvement").get<int>();
    if (s.step != adam.steps_taken())
      throw io::FormatError(state_path.string() + ": step " + std::to_string(s.step) +
                            " disagrees with the optimizer's " + std::to_string(adam.steps_taken()));
    return s;
  } catch (const nlohmann::json::exception& e) {
    throw io::FormatError(state_path.string() + ": " + e.what());
  }
}

}  // namespace tfm::train
