#pragma once
// The built-in demo task: English number words to German number words. It needs real
// attention, not copying: German writes one word and puts the units before the tens
// ("forty-five" -> "fünfundvierzig"), so the model must look ahead in the source.
#include <string>

namespace tfm::demo {

// 0 <= n < 1,000,000: "three hundred forty-five thousand six hundred seventy-eight"
std::string english_number(int n);
// The same number in German, one word: "dreihundertfünfundvierzigtausendsechshundertachtundsiebzig"
std::string german_number(int n);

}  // namespace tfm::demo
