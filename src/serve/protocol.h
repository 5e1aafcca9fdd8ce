#pragma once
// The JSON of the server's endpoints: requests read and checked into what the scheduler
// needs, translations written back. docs/serve.md describes every field. Anything a client
// may get wrong throws HttpError with a 4xx status and a message naming the field.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "decode/beam_search.h"
#include "tfm/translator.h"

namespace tfm::serve {

struct RequestLimits {
  size_t max_request_bytes = 1 << 20;
  size_t max_sentences = 256;         // per request
  size_t max_sentence_chars = 10000;  // Unicode characters
};

struct TranslateRequest {
  std::string model;                   // empty: the only model loaded
  std::string source, target;          // LibreTranslate's languages: the model named "source-target"
  std::vector<std::string> sentences;  // valid UTF-8, within the limits
  bool list = false;                   // the text came as a list (answered with a list)
  decode::SearchOptions search;
  bool attention = false;              // return the cross-attention of each best translation
  int alternatives = 0;                // LibreTranslate: translations besides the best
};

// POST /v1/translate: {"model", "text", "beam_size", "length_penalty", "n_best",
// "max_length_ratio", "max_length_offset", "min_length", "attention"}. Unknown fields are
// errors, so that a misspelt option is not silently ignored.
TranslateRequest parse_translate_request(std::string_view body, const RequestLimits& limits);

// POST /translate, LibreTranslate's: {"q", "source", "target", "format", "alternatives",
// "api_key"}; other fields are ignored, as LibreTranslate does.
TranslateRequest parse_libretranslate_request(std::string_view body, const RequestLimits& limits);

// The answers to each.
nlohmann::json translate_response(const std::string& model, const std::vector<Translation>& translations);
nlohmann::json libretranslate_response(const TranslateRequest& request, const std::vector<Translation>& translations);

}  // namespace tfm::serve
