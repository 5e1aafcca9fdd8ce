#pragma once
// sacreBLEU's BLEU tokenizers, character for character:
//   13a  : mteval-v13a.pl as sacreBLEU runs it (tokenizer_13a.py + tokenizer_re.py)
//   intl : mteval-v14.pl's international tokenization (tokenizer_intl.py)
//   none : the line unchanged
// Each returns the tokens joined by single spaces, as sacreBLEU does; BLEU then splits
// them again on whitespace.
#include <string>
#include <string_view>

namespace tfm::text {

enum class BleuTokenizer { k13a, kIntl, kNone };

// "13a", "intl" or "none" (the names in sacreBLEU's signature); throws std::invalid_argument.
BleuTokenizer parse_bleu_tokenizer(std::string_view name);
std::string_view bleu_tokenizer_name(BleuTokenizer tokenizer);

std::u32string tokenize(std::u32string_view line, BleuTokenizer tokenizer);

// 13a: drops "<skipped>", joins "-\n" hyphenations, unescapes &quot; &amp; &lt; &gt;, then
// splits off ASCII punctuation and symbols, but keeps '.' and ',' between two digits and
// '-' after a letter together with their neighbours.
std::u32string tokenize_13a(std::u32string_view line);
// intl: splits off Unicode punctuation unless it sits between two numbers, and every
// Unicode symbol. A number followed by a final '.' keeps it ("1999." stays one token).
std::u32string tokenize_intl(std::u32string_view line);

}  // namespace tfm::text
