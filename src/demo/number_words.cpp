#include "demo/number_words.h"

#include <cassert>

namespace tfm::demo {

namespace {

const char* const kEnglishOnes[] = {"zero",    "one",     "two",       "three",    "four",
                                    "five",    "six",     "seven",     "eight",    "nine",
                                    "ten",     "eleven",  "twelve",    "thirteen", "fourteen",
                                    "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
const char* const kEnglishTens[] = {"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"};

// 1..999
std::string english_below_thousand(int n) {
  std::string s;
  if (n >= 100) {
    s = std::string(kEnglishOnes[n / 100]) + " hundred";
    n %= 100;
    if (n == 0) return s;
    s += " ";
  }
  if (n < 20) return s + kEnglishOnes[n];
  s += kEnglishTens[n / 10];
  if (n % 10) s += std::string("-") + kEnglishOnes[n % 10];
  return s;
}

const char* const kGermanOnes[] = {"null",     "eins",     "zwei",     "drei",     "vier",
                                   "fünf",     "sechs",    "sieben",   "acht",     "neun",
                                   "zehn",     "elf",      "zwölf",    "dreizehn", "vierzehn",
                                   "fünfzehn", "sechzehn", "siebzehn", "achtzehn", "neunzehn"};
const char* const kGermanTens[] = {"", "", "zwanzig", "dreißig", "vierzig", "fünfzig", "sechzig", "siebzig", "achtzig", "neunzig"};

// 1..99 inside a compound: "ein" rather than "eins" before "und", "hundert" or "tausend".
std::string german_below_hundred(int n, bool final_position) {
  if (n == 1) return final_position ? "eins" : "ein";
  if (n < 20) return kGermanOnes[n];
  std::string tens = kGermanTens[n / 10];
  if (n % 10 == 0) return tens;
  const std::string unit = n % 10 == 1 ? "ein" : kGermanOnes[n % 10];
  return unit + "und" + tens;  // units before tens
}

// 1..999
std::string german_below_thousand(int n, bool final_position) {
  std::string s;
  if (n >= 100) {
    s = german_below_hundred(n / 100, false) + "hundert";
    n %= 100;
    if (n == 0) return s;
  }
  return s + german_below_hundred(n, final_position);
}

}  // namespace

std::string english_number(int n) {
  assert(n >= 0 && n < 1'000'000);
  if (n == 0) return "zero";
  std::string s;
  if (n >= 1000) {
    s = english_below_thousand(n / 1000) + " thousand";
    n %= 1000;
    if (n == 0) return s;
    s += " ";
  }
  return s + english_below_thousand(n);
}

std::string german_number(int n) {
  assert(n >= 0 && n < 1'000'000);
  if (n == 0) return "null";
  std::string s;
  if (n >= 1000) {
    s = german_below_thousand(n / 1000, false) + "tausend";
    n %= 1000;
    if (n == 0) return s;
  }
  return s + german_below_thousand(n, true);
}

}  // namespace tfm::demo
