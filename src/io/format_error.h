#pragma once
// The error for a file tfm cannot accept: its message names the file and, where there is one,
// the tensor or field, with what was expected and what was found.
#include <stdexcept>
#include <string>

namespace tfm::io {

class FormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace tfm::io
