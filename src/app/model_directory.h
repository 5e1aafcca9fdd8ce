#pragma once
// A model directory as the commands use it (docs/model-format.md): config.json,
// model.safetensors and the SentencePiece model spm.model.
#include <filesystem>
#include <memory>

#include "io/model_config.h"
#include "nn/transformer.h"
#include "text/tokenizer.h"

namespace tfm::app {

struct ModelDirectory {
  std::unique_ptr<nn::Transformer> model;
  text::Tokenizer tokenizer;
};

// Loads all three files; every error names the file at fault.
ModelDirectory load_model_directory(const std::filesystem::path& dir);

}  // namespace tfm::app
