// Translates the sentences given on the command line with a tfm model directory, through the
// installed library: what a C++ application that embeds tfm does.
//   translate MODEL_DIR SENTENCE...
#include <tfm/tfm.h>

#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: " << argv[0] << " MODEL_DIR SENTENCE...\n";
    return 2;
  }
  try {
    const tfm::Translator translator(argv[1]);
    const std::vector<std::string> sources(argv + 2, argv + argc);
    tfm::TranslationOptions options;
    options.beam_size = 4;
    options.n_best = 2;
    for (const tfm::Translation& t : translator.translate(sources, options))
      for (const tfm::Hypothesis& h : t.hypotheses) std::cout << h.score << "\t" << h.text << "\n";
    const std::vector<double> scores = translator.score(sources, {sources.size(), std::string()});
    std::cout << "log P(empty translation | first sentence) = " << scores.front() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
