#pragma once
// Checking the messages of the errors that code under test throws.
#include <gtest/gtest.h>

#include <initializer_list>
#include <stdexcept>
#include <string>

namespace tfm::testing {

// The message of the std::runtime_error that `action` throws, or "<no error>".
template <typename Action>
std::string error_of(Action action) {
  try {
    action();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "<no error>";
}

// Expects `message` to contain every one of `parts`.
inline void expect_mentions(const std::string& message, std::initializer_list<std::string> parts) {
  for (const std::string& part : parts)
    EXPECT_NE(message.find(part), std::string::npos)
        << "message lacks \"" << part << "\": " << message;
}

}  // namespace tfm::testing
