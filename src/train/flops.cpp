#include "train/flops.h"

namespace tfm::train {

double forward_flops(const io::ModelConfig& c, int64_t batch, int64_t src_len, int64_t tgt_len) {
  const double d = c.d_model, ff = c.dim_feedforward, b = double(batch), s = double(src_len), t = double(tgt_len);
  const double n = b * s, m = b * t;
  const double encoder_layer = 6 * n * d * d + 4 * b * s * s * d + 2 * n * d * d + 4 * n * d * ff;
  const double decoder_layer = 8 * m * d * d + 4 * b * t * t * d + 4 * m * d * d + 4 * n * d * d + 4 * b * t * s * d +
                               4 * m * d * ff;
  return c.num_encoder_layers * encoder_layer + c.num_decoder_layers * decoder_layer + 2 * m * d * c.vocab_size;
}

}  // namespace tfm::train
