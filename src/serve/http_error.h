#pragma once
// An error to answer with: its HTTP status (4xx: the client's request; 5xx: ours), a message
// for {"error": ...} that says what to change, and the kind /metrics counts it under.
#include <stdexcept>
#include <string>

namespace tfm::serve {

struct HttpError : std::runtime_error {
  HttpError(int status, const std::string& message, std::string kind = {})
      : std::runtime_error(message), status(status), kind(kind.empty() ? kind_of(status) : std::move(kind)) {}

  static std::string kind_of(int status) {
    switch (status) {
      case 400: return "bad_request";
      case 404: return "not_found";
      case 413: return "too_large";
      case 429: return "queue_full";
      case 503: return "unavailable";
      default: return status < 500 ? "client_error" : "internal";
    }
  }

  int status;
  std::string kind;
};

}  // namespace tfm::serve
