#include "serve/protocol.h"

#include <gtest/gtest.h>

#include "serve/http_error.h"

namespace tfm::serve {
namespace {

// The status and message a body is refused with.
std::pair<int, std::string> refusal(std::string_view body, bool libretranslate = false, RequestLimits limits = {}) {
  try {
    if (libretranslate)
      parse_libretranslate_request(body, limits);
    else
      parse_translate_request(body, limits);
  } catch (const HttpError& e) {
    return {e.status, e.what()};
  }
  return {200, ""};
}

TEST(Protocol, ReadsEveryOptionOfTheNativeRequest) {
  const TranslateRequest r = parse_translate_request(
      R"({"model": "en-de", "text": ["a", "b"], "beam_size": 5, "length_penalty": 1.0, "n_best": 3,
          "max_length_ratio": 2.0, "max_length_offset": 4, "min_length": 2, "attention": true})",
      {});
  EXPECT_EQ(r.model, "en-de");
  EXPECT_EQ(r.sentences, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(r.list);
  EXPECT_EQ(r.search.beam_size, 5);
  EXPECT_EQ(r.search.length_penalty, 1.0);
  EXPECT_EQ(r.search.n_best, 3);
  EXPECT_EQ(r.search.max_length_ratio, 2.0);
  EXPECT_EQ(r.search.max_length_offset, 4);
  EXPECT_EQ(r.search.min_length, 2);
  EXPECT_TRUE(r.attention);

  const TranslateRequest plain = parse_translate_request(R"({"text": "one"})", {});
  EXPECT_FALSE(plain.list);
  EXPECT_EQ(plain.search.beam_size, decode::SearchOptions{}.beam_size);  // tfm translate's defaults
  EXPECT_EQ(plain.search.length_penalty, decode::SearchOptions{}.length_penalty);
  EXPECT_EQ(plain.search.n_best, 1);
  EXPECT_FALSE(plain.attention);
}

TEST(Protocol, NamesTheFieldAtFault) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"text": 5})", "\"text\" must be a string or a list of strings, got number"},
      {R"({"text": ["a", 2]})", "\"text\"[1] must be a string, got number"},
      {R"({})", "no \"text\""},
      {R"({"text": "a", "beam_size": 0})", "\"beam_size\" must be between 1 and 64, got 0"},
      {R"({"text": "a", "beam_size": 2.5})", "\"beam_size\" must be an integer, got 2.5"},
      {R"({"text": "a", "beam_size": 2, "n_best": 3})", "\"n_best\" must be between 1 and 2, got 3"},
      {R"({"text": "a", "length_penalty": "high"})", "\"length_penalty\" must be a number, got string"},
      {R"({"text": "a", "attention": 1})", "\"attention\" must be true or false, got number"},
      {R"({"text": "a", "model": 3})", "\"model\" must be a string, got number"},
      {R"({"text": "a", "beam": 4})", "unknown field \"beam\""},
      {R"(["a"])", "must be a JSON object, got array"},
      {R"({"text": "a")", "not valid JSON"},
      {"{\"text\": \"caf\xE9\"}", "the body is not UTF-8: byte 13 (0xE9"},  // Latin-1
      // The number overflows a double: the JSON library's out_of_range, which the fuzzer found
      // escaping as a crash.
      {R"({"text": "a", "length_penalty": 1e400})", "not valid JSON"},
      {R"({"text": "a", "beam_size": -1e999})", "not valid JSON"},
      {"", "not valid JSON"},
  };
  for (const auto& [body, message] : cases) {
    const auto [status, what] = refusal(body);
    EXPECT_EQ(status, 400) << body;
    EXPECT_NE(what.find(message), std::string::npos) << body << " -> " << what;
  }
}

TEST(Protocol, LimitsAreAnswered413) {
  RequestLimits limits;
  limits.max_request_bytes = 40;
  limits.max_sentences = 2;
  limits.max_sentence_chars = 5;
  EXPECT_EQ(refusal(R"({"text": ["a", "b", "c"]})", false, limits).first, 413);
  EXPECT_EQ(refusal(R"({"text": "abcdef"})", false, limits).first, 413);
  EXPECT_EQ(refusal(R"({"text": "äöüßé"})", false, limits).first, 200);  // characters, not bytes
  EXPECT_EQ(refusal(R"({"text": "a", "beam_size": 4, "n_best": 1, "x": 1})", false, limits).first, 413);
  EXPECT_EQ(refusal(R"({"q": ["a", "b", "c"]})", true, limits).first, 413);
}

TEST(Protocol, ReadsLibreTranslateRequests) {
  const TranslateRequest r =
      parse_libretranslate_request(R"({"q": "Hello", "source": "en", "target": "de", "format": "text",
                                        "alternatives": 2, "api_key": "x", "something": "else"})",
                                   {});
  EXPECT_EQ(r.sentences, std::vector<std::string>{"Hello"});
  EXPECT_EQ(r.source, "en");
  EXPECT_EQ(r.target, "de");
  EXPECT_EQ(r.alternatives, 2);
  EXPECT_EQ(r.search.n_best, 3);
  EXPECT_GE(r.search.beam_size, 3);
  EXPECT_EQ(refusal(R"({"q": "a", "format": "html"})", true).first, 400);
  EXPECT_EQ(refusal(R"({"q": "a", "alternatives": -1})", true).first, 400);
}

TEST(Protocol, WritesTranslationsAndAttention) {
  Translation t;
  t.hypotheses = {{"Hallo", {"▁Hallo"}, -0.5, -1.0}, {"Hi", {"▁Hi"}, -0.7, -1.2}};
  CrossAttention a;
  a.layers = 1;
  a.heads = 2;
  a.target_pieces = {"▁Hallo", "</s>"};
  a.source_pieces = {"▁Hello", ".", "</s>"};
  a.weights = {0.5f, 0.25f, 0.25f, 0.0f, 0.0f, 1.0f, 1.0f, 0.0f, 0.0f, 0.2f, 0.3f, 0.5f};
  t.attention = a;
  const nlohmann::json j = translate_response("en-de", {t});
  EXPECT_EQ(j["model"], "en-de");
  const nlohmann::json& first = j["translations"][0];
  EXPECT_EQ(first["hypotheses"][1]["text"], "Hi");
  EXPECT_EQ(first["hypotheses"][0]["pieces"][0], "▁Hallo");
  EXPECT_EQ(first["hypotheses"][0]["score"], -0.5);
  const nlohmann::json& w = first["attention"]["weights"];  // [layer][head][row][column]
  ASSERT_EQ(w.size(), 1u);
  ASSERT_EQ(w[0].size(), 2u);
  EXPECT_EQ(w[0][1][1][2].get<float>(), 0.5f);
  EXPECT_EQ(w[0][0][1][2].get<float>(), 1.0f);

  TranslateRequest lt;
  lt.alternatives = 1;
  const nlohmann::json single = libretranslate_response(lt, {t});
  EXPECT_EQ(single["translatedText"], "Hallo");
  EXPECT_EQ(single["alternatives"], nlohmann::json::array({"Hi"}));
  lt.list = true;
  EXPECT_EQ(libretranslate_response(lt, {t, t})["translatedText"], nlohmann::json::array({"Hallo", "Hallo"}));
}

}  // namespace
}  // namespace tfm::serve
