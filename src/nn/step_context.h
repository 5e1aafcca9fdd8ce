#pragma once
// What every layer's forward and backward need besides its inputs: where to put tensors,
// and whether (and with which random stream) to apply dropout.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include "kernels/dropout.h"
#include "kernels/matmul.h"
#include "tensor/random.h"
#include "tensor/workspace.h"

namespace tfm::nn {

struct StepContext {
  Workspace& workspace;
  bool training = false;  // dropout on
  uint64_t seed = 0;      // run seed
  uint64_t step = 0;      // optimizer step: a new dropout mask every step
  // Layers keep what backward (or a look at the attention weights) reads later. Inference
  // turns this off: each layer's intermediates are given back once the next layer has its
  // input, and attention weights are never stored, so memory grows linearly with length.
  bool keep_activations = true;
  // What the linear layers' products multiply (kernels/matmul.h); training may choose
  // bfloat16, whatever runs inference stays float32.
  kernels::Precision products = kernels::Precision::float32;
  // Told during backward, as soon as a layer stack has finished part of it, that the gradients
  // of the parameter set's entries from this index to the end are final (layers register
  // their parameters in the opposite order to backward), so that a data-parallel run can
  // start summing them over processes while the rest of backward runs. Empty: nobody listens.
  std::function<void(size_t first_final_entry)> gradients_final_from = nullptr;

  // A layer stack's output on its way to the next layer: in inference everything taken
  // since `mark` but `t` goes back to the workspace (Workspace::release_to).
  Tensor pass_on(const Workspace::Mark& mark, const Tensor& t) const {
    return keep_activations ? t : workspace.release_to(mark, t);
  }

  // Translation, scoring, validation: no dropout, nothing kept.
  static StepContext inference(Workspace& workspace) { return {workspace, false, 0, 0, false}; }

  void report_gradients_final_from(size_t first_entry) const {
    if (gradients_final_from) gradients_final_from(first_entry);
  }

  // Dropout for one site of the model; off outside training.
  kernels::Dropout dropout(float p, uint32_t site) const {
    if (!training || p <= 0.0f) return {};
    return {p, stream_key(seed, step, site)};
  }
};

// A stable id for a dropout site from its name ("decoder.layers.2.dropout1"), so masks do
// not change when unrelated layers are added.
inline uint32_t dropout_site(std::string_view name) {
  uint32_t h = 2166136261u;  // FNV-1a
  for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return h;
}

}  // namespace tfm::nn
