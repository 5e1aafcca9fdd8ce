#include "text/sacrebleu_tokenizers.h"

#include <stdexcept>

#include "text/unicode.h"

namespace tfm::text {
namespace {

void replace_all(std::u32string& text, std::u32string_view from, std::u32string_view to) {
  std::u32string out;
  size_t start = 0;
  for (size_t hit = text.find(from); hit != std::u32string::npos; hit = text.find(from, start)) {
    out.append(text, start, hit - start);
    out.append(to);
    start = hit + from.size();
  }
  out.append(text, start);
  text = std::move(out);
}

// Python's re.sub(r'(X)', r' \1 ', text) for a one-character class X.
std::u32string pad_each(std::u32string_view text, bool (*matches)(char32_t)) {
  std::u32string out;
  for (char32_t c : text) {
    if (matches(c)) {
      out += U' ';
      out += c;
      out += U' ';
    } else {
      out += c;
    }
  }
  return out;
}

// Python's re.sub(r'(A)(B)', replacement, text) for one-character classes A and B: the
// leftmost match wins and the scan resumes after it, so matches never overlap.
// The replacement is `before` \1 `middle` \2 `after`.
struct PairRule {
  bool (*first)(char32_t);
  bool (*second)(char32_t);
  std::u32string_view before, middle, after;
};

std::u32string rewrite_pairs(std::u32string_view text, const PairRule& rule) {
  std::u32string out;
  size_t i = 0;
  while (i < text.size()) {
    if (i + 1 < text.size() && rule.first(text[i]) && rule.second(text[i + 1])) {
      out.append(rule.before);
      out += text[i];
      out.append(rule.middle);
      out += text[i + 1];
      out.append(rule.after);
      i += 2;
    } else {
      out += text[i++];
    }
  }
  return out;
}

// Python's ' '.join(text.split()).
std::u32string squeeze_whitespace(std::u32string_view text) {
  std::u32string out;
  for (std::u32string_view word : split_whitespace(text)) {
    if (!out.empty()) out += U' ';
    out.append(word);
  }
  return out;
}

// Python's re character classes [0-9] and [^0-9] are ASCII digits only.
bool is_ascii_digit(char32_t c) { return c >= U'0' && c <= U'9'; }
bool is_not_ascii_digit(char32_t c) { return !is_ascii_digit(c); }
bool is_period_or_comma(char32_t c) { return c == U'.' || c == U','; }
bool is_hyphen(char32_t c) { return c == U'-'; }

// 13a's class [\{-\~\[-\` -\&\(-\+\:-\@\/]: ASCII punctuation and symbols except the
// apostrophe, ',', '-' and '.', plus the space.
bool is_13a_separated(char32_t c) {
  return (c >= U'{' && c <= U'~') || (c >= U'[' && c <= U'`') || (c >= U' ' && c <= U'&') ||
         (c >= U'(' && c <= U'+') || (c >= U':' && c <= U'@') || c == U'/';
}

bool is_not_number(char32_t c) { return !is_number(c); }

}  // namespace

BleuTokenizer parse_bleu_tokenizer(std::string_view name) {
  if (name == "13a") return BleuTokenizer::k13a;
  if (name == "intl") return BleuTokenizer::kIntl;
  if (name == "none") return BleuTokenizer::kNone;
  throw std::invalid_argument("unknown BLEU tokenizer '" + std::string(name) +
                              "' (expected 13a, intl or none)");
}

std::string_view bleu_tokenizer_name(BleuTokenizer tokenizer) {
  switch (tokenizer) {
    case BleuTokenizer::k13a: return "13a";
    case BleuTokenizer::kIntl: return "intl";
    case BleuTokenizer::kNone: return "none";
  }
  throw std::logic_error("unhandled BleuTokenizer");
}

std::u32string tokenize(std::u32string_view line, BleuTokenizer tokenizer) {
  switch (tokenizer) {
    case BleuTokenizer::k13a: return tokenize_13a(line);
    case BleuTokenizer::kIntl: return tokenize_intl(line);
    case BleuTokenizer::kNone: return std::u32string(line);
  }
  throw std::logic_error("unhandled BleuTokenizer");
}

std::u32string tokenize_13a(std::u32string_view line) {
  std::u32string text(line);
  replace_all(text, U"<skipped>", U"");
  replace_all(text, U"-\n", U"");
  replace_all(text, U"\n", U" ");
  if (text.find(U'&') != std::u32string::npos) {
    // In this order, so "&amp;lt;" becomes "<" as in sacreBLEU.
    replace_all(text, U"&quot;", U"\"");
    replace_all(text, U"&amp;", U"&");
    replace_all(text, U"&lt;", U"<");
    replace_all(text, U"&gt;", U">");
  }
  text = pad_each(U" " + text + U" ", is_13a_separated);
  // period and comma unless preceded by a digit
  text = rewrite_pairs(text, {is_not_ascii_digit, is_period_or_comma, U"", U" ", U" "});
  // period and comma unless followed by a digit
  text = rewrite_pairs(text, {is_period_or_comma, is_not_ascii_digit, U" ", U" ", U""});
  // dash when preceded by a digit
  text = rewrite_pairs(text, {is_ascii_digit, is_hyphen, U"", U" ", U" "});
  return squeeze_whitespace(text);
}

std::u32string tokenize_intl(std::u32string_view line) {
  // punctuation preceded by a non-number
  std::u32string text = rewrite_pairs(line, {is_not_number, is_punctuation, U"", U" ", U" "});
  // punctuation followed by a non-number
  text = rewrite_pairs(text, {is_punctuation, is_not_number, U" ", U" ", U""});
  text = pad_each(text, is_symbol);
  return squeeze_whitespace(text);
}

}  // namespace tfm::text
