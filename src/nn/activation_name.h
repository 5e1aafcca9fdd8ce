#pragma once
#include <stdexcept>
#include <string>

#include "kernels/activation.h"

namespace tfm::nn {

// config.json's "activation" as a kernel choice.
inline kernels::Activation activation_from_name(const std::string& name) {
  if (name == "relu") return kernels::Activation::ReLU;
  if (name == "gelu") return kernels::Activation::GELU;
  throw std::runtime_error("unknown activation \"" + name + "\" (expected \"relu\" or \"gelu\")");
}

}  // namespace tfm::nn
