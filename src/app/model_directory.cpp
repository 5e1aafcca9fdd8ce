#include "app/model_directory.h"

#include <stdexcept>

#include "io/model_weights.h"

namespace tfm::app {

ModelDirectory load_model_directory(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir))
    throw std::runtime_error("model directory " + dir.string() + " does not exist");
  const io::ModelConfig config = io::ModelConfig::load(dir / "config.json");
  auto model = std::make_unique<nn::Transformer>(config);
  io::load_parameters(dir / "model.safetensors", model->parameters());
  text::Tokenizer tokenizer = text::Tokenizer::load((dir / "spm.model").string());
  if (tokenizer.vocab_size() != config.vocab_size)
    throw std::runtime_error((dir / "spm.model").string() + " has " + std::to_string(tokenizer.vocab_size()) +
                             " pieces but " + (dir / "config.json").string() + " says vocab_size " +
                             std::to_string(config.vocab_size));
  return {std::move(model), std::move(tokenizer)};
}

}  // namespace tfm::app
