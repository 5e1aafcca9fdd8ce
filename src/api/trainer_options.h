#pragma once
// The trainer's options for the public ones: what tfm::train_model runs, and what `tfm train`
// builds its options through (its distributed runs then add a communicator of their own).
#include "tfm/training.h"
#include "train/trainer.h"

namespace tfm::api {

// Every field but the in-memory sentence pairs, which the caller keeps alive and points to.
// Throws std::invalid_argument naming a field that is out of range.
train::TrainerOptions trainer_options(const TrainingOptions& options);

}  // namespace tfm::api
