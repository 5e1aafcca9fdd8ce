// The server's request parser (src/serve/protocol), both endpoints' bodies: any bytes are
// either a request within the limits or an HttpError with a 4xx status, never anything
// else; and what it accepts can be answered (the response writer takes it).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "serve/http_error.h"
#include "serve/protocol.h"

namespace {

void check(const tfm::serve::TranslateRequest& r, const tfm::serve::RequestLimits& limits) {
  if (r.sentences.size() > limits.max_sentences && r.list) __builtin_trap();
  if (r.search.beam_size < 1 || r.search.n_best < 1 || r.search.n_best > r.search.beam_size) __builtin_trap();
  std::vector<tfm::Translation> translations;
  for (const std::string& sentence : r.sentences) translations.push_back({{{sentence, {sentence}, -1.0, -2.0}}, {}});
  (void)tfm::serve::translate_response(r.model, translations).dump();
  (void)tfm::serve::libretranslate_response(r, translations).dump();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  tfm::serve::RequestLimits limits;
  limits.max_request_bytes = 4096;
  limits.max_sentences = 8;
  limits.max_sentence_chars = 64;
  for (bool libretranslate : {false, true}) {
    try {
      check(libretranslate ? tfm::serve::parse_libretranslate_request(body, limits)
                           : tfm::serve::parse_translate_request(body, limits),
            limits);
    } catch (const tfm::serve::HttpError& e) {
      if (e.status < 400 || e.status >= 500) __builtin_trap();
    }
  }
  return 0;
}
