#include "io/corpus.h"

#include <stdexcept>
#include <string_view>

#include "io/text_reader.h"
#include "text/utf8.h"

namespace tfm::io {

std::string read_text(const std::string& path) {
  ChunkReader reader(path);
  std::string bytes;
  for (std::string_view chunk; !(chunk = reader.read()).empty();) bytes.append(chunk);
  return bytes;
}

std::vector<std::string> read_lines(const std::string& path) {
  LineReader reader(path);
  std::vector<std::string> lines;
  for (std::string line; reader.next(line);) {
    if (const auto invalid = text::find_invalid_utf8(line))
      throw std::runtime_error(path + ":" + std::to_string(reader.line_number()) + ": invalid UTF-8 at byte " +
                               std::to_string(invalid->byte_offset + 1));
    lines.emplace_back(line);  // exact-size allocation, which matters for millions of lines
  }
  return lines;
}

ParallelCorpus read_parallel_corpus(const std::string& source_path,
                                    const std::string& target_path) {
  ParallelCorpus corpus{read_lines(source_path), read_lines(target_path)};
  if (corpus.source.size() != corpus.target.size())
    throw std::runtime_error("parallel corpus sides differ in length: '" + source_path +
                             "' has " + std::to_string(corpus.source.size()) + " lines, '" +
                             target_path + "' has " + std::to_string(corpus.target.size()) +
                             " lines");
  return corpus;
}

}  // namespace tfm::io
