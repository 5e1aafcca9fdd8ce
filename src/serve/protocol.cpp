#include "serve/protocol.h"

#include <cmath>
#include <set>

#include "serve/http_error.h"
#include "text/utf8.h"

namespace tfm::serve {

namespace {

using nlohmann::json;

[[noreturn]] void bad_request(const std::string& message) { throw HttpError(400, message); }

json parse_body(std::string_view body, const RequestLimits& limits) {
  if (body.size() > limits.max_request_bytes)
    throw HttpError(413, "the request has " + std::to_string(body.size()) + " bytes; the limit is " +
                             std::to_string(limits.max_request_bytes));
  if (const auto invalid = text::find_invalid_utf8(body))
    bad_request("the body is not UTF-8: byte " + std::to_string(invalid->byte_offset) + " (" + invalid->detail + ")");
  json j;
  try {
    j = json::parse(body);
  } catch (const json::exception& e) {  // a syntax error, or a number out of range (1e400)
    bad_request(std::string("the body is not valid JSON: ") + e.what());
  }
  if (!j.is_object()) bad_request("the body must be a JSON object, got " + std::string(j.type_name()));
  return j;
}

const char* type_of(const json& j) { return j.type_name(); }

std::string string_field(const json& j, const char* name) {
  if (!j.contains(name) || j[name].is_null()) return {};
  if (!j[name].is_string()) bad_request(std::string("\"") + name + "\" must be a string, got " + type_of(j[name]));
  return j[name].get<std::string>();
}

int int_field(const json& j, const char* name, int fallback, int low, int high) {
  if (!j.contains(name)) return fallback;
  const json& v = j[name];
  if (!v.is_number_integer())
    bad_request(std::string("\"") + name + "\" must be an integer, got " + (v.is_number() ? v.dump() : type_of(v)));
  const int64_t value = v.get<int64_t>();
  if (value < low || value > high)
    bad_request(std::string("\"") + name + "\" must be between " + std::to_string(low) + " and " +
                std::to_string(high) + ", got " + std::to_string(value));
  return int(value);
}

double number_field(const json& j, const char* name, double fallback, double low, double high) {
  if (!j.contains(name)) return fallback;
  const json& v = j[name];
  if (!v.is_number()) bad_request(std::string("\"") + name + "\" must be a number, got " + type_of(v));
  const double value = v.get<double>();
  if (!std::isfinite(value) || value < low || value > high)
    bad_request(std::string("\"") + name + "\" must be between " + json(low).dump() + " and " + json(high).dump() +
                ", got " + v.dump());
  return value;
}

bool bool_field(const json& j, const char* name) {
  if (!j.contains(name)) return false;
  if (!j[name].is_boolean()) bad_request(std::string("\"") + name + "\" must be true or false, got " + type_of(j[name]));
  return j[name].get<bool>();
}

size_t characters(const std::string& utf8) {
  size_t n = 0;
  for (unsigned char c : utf8) n += (c & 0xC0) != 0x80;
  return n;
}

// The text to translate: a string, or a list of them; within the limits.
void read_sentences(const json& j, const char* name, const RequestLimits& limits, TranslateRequest& r) {
  if (!j.contains(name)) bad_request(std::string("the request has no \"") + name + "\": the text to translate");
  const json& text = j[name];
  if (text.is_string()) {
    r.sentences = {text.get<std::string>()};
  } else if (text.is_array()) {
    r.list = true;
    if (text.size() > limits.max_sentences)
      throw HttpError(413, std::string("\"") + name + "\" has " + std::to_string(text.size()) +
                               " sentences; the limit is " + std::to_string(limits.max_sentences) + " per request");
    for (size_t i = 0; i < text.size(); ++i) {
      if (!text[i].is_string())
        bad_request(std::string("\"") + name + "\"[" + std::to_string(i) + "] must be a string, got " +
                    type_of(text[i]));
      r.sentences.push_back(text[i].get<std::string>());
    }
  } else {
    bad_request(std::string("\"") + name + "\" must be a string or a list of strings, got " + type_of(text));
  }
  for (size_t i = 0; i < r.sentences.size(); ++i) {
    const size_t chars = characters(r.sentences[i]);
    if (chars > limits.max_sentence_chars)
      throw HttpError(413, "sentence " + std::to_string(i) + " has " + std::to_string(chars) +
                               " characters; the limit is " + std::to_string(limits.max_sentence_chars));
  }
}

}  // namespace

TranslateRequest parse_translate_request(std::string_view body, const RequestLimits& limits) {
  const json j = parse_body(body, limits);
  static const std::set<std::string> known = {"model",          "text",           "beam_size",
                                              "length_penalty", "n_best",         "max_length_ratio",
                                              "max_length_offset", "min_length", "attention"};
  for (const auto& [key, value] : j.items())
    if (!known.contains(key))
      bad_request("unknown field \"" + key +
                  "\"; the fields are model, text, beam_size, length_penalty, n_best, max_length_ratio, "
                  "max_length_offset, min_length, attention");
  TranslateRequest r;
  r.model = string_field(j, "model");
  read_sentences(j, "text", limits, r);
  decode::SearchOptions& s = r.search;
  s.beam_size = int_field(j, "beam_size", s.beam_size, 1, 64);
  s.n_best = int_field(j, "n_best", 1, 1, s.beam_size);
  s.length_penalty = number_field(j, "length_penalty", s.length_penalty, 0.0, 10.0);
  s.max_length_ratio = number_field(j, "max_length_ratio", s.max_length_ratio, 0.0, 100.0);
  s.max_length_offset = int_field(j, "max_length_offset", s.max_length_offset, 0, 100000);
  s.min_length = int_field(j, "min_length", s.min_length, 0, 100000);
  r.attention = bool_field(j, "attention");
  return r;
}

TranslateRequest parse_libretranslate_request(std::string_view body, const RequestLimits& limits) {
  const json j = parse_body(body, limits);
  TranslateRequest r;
  read_sentences(j, "q", limits, r);
  r.source = string_field(j, "source");
  r.target = string_field(j, "target");
  const std::string format = string_field(j, "format");
  if (!format.empty() && format != "text")
    bad_request("\"format\" must be \"text\", got \"" + format + "\" (HTML is not supported)");
  r.alternatives = int_field(j, "alternatives", 0, 0, 16);
  r.search.beam_size = std::max(r.search.beam_size, r.alternatives + 1);
  r.search.n_best = r.alternatives + 1;
  return r;
}

nlohmann::json translate_response(const std::string& model, const std::vector<Translation>& translations) {
  json out = json::array();
  for (const Translation& t : translations) {
    json hypotheses = json::array();
    for (const Hypothesis& h : t.hypotheses)
      hypotheses.push_back({{"text", h.text}, {"pieces", h.pieces}, {"score", h.score}, {"log_prob", h.log_prob}});
    json entry = {{"hypotheses", hypotheses}};
    if (t.attention) {
      const CrossAttention& a = *t.attention;
      const size_t rows = a.target_pieces.size(), columns = a.source_pieces.size();
      json layers = json::array();
      for (int l = 0; l < a.layers; ++l) {
        json heads = json::array();
        for (int h = 0; h < a.heads; ++h) {
          json matrix = json::array();
          for (size_t row = 0; row < rows; ++row) {
            const float* first = a.weights.data() + ((size_t(l) * a.heads + h) * rows + row) * columns;
            matrix.push_back(std::vector<float>(first, first + columns));
          }
          heads.push_back(std::move(matrix));
        }
        layers.push_back(std::move(heads));
      }
      entry["attention"] = {{"layers", a.layers},
                            {"heads", a.heads},
                            {"source_pieces", a.source_pieces},
                            {"target_pieces", a.target_pieces},
                            {"weights", std::move(layers)}};
    }
    out.push_back(std::move(entry));
  }
  return {{"model", model}, {"translations", std::move(out)}};
}

nlohmann::json libretranslate_response(const TranslateRequest& request, const std::vector<Translation>& translations) {
  json texts = json::array(), alternatives = json::array();
  for (const Translation& t : translations) {
    texts.push_back(t.hypotheses.front().text);
    json others = json::array();
    for (size_t k = 1; k < t.hypotheses.size(); ++k) others.push_back(t.hypotheses[k].text);
    alternatives.push_back(std::move(others));
  }
  json out;
  out["translatedText"] = request.list ? texts : texts.front();
  if (request.alternatives > 0) out["alternatives"] = request.list ? alternatives : alternatives.front();
  return out;
}

}  // namespace tfm::serve
