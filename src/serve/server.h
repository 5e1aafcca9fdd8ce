#pragma once
// `tfm serve`: translation over HTTP/1.1 (docs/serve.md). One Scheduler per model; the HTTP
// library's worker threads read requests, queue their sentences and wait for the answers.
#include <filesystem>
#include <string>
#include <vector>

#include "serve/protocol.h"
#include "serve/scheduler.h"

namespace tfm::serve {

struct ModelSpec {
  std::string name;
  std::filesystem::path directory;
};

struct ServerOptions {
  std::vector<ModelSpec> models;
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port
  SchedulerOptions scheduler;
  RequestLimits limits;
  int request_timeout_seconds = 60;  // a request still waiting then is answered 503
  int max_connections = 64;          // connections served at once; more wait their turn
};

// Loads the models, prints "listening on http://HOST:PORT" on standard output, and serves
// until SIGTERM or SIGINT; then stops accepting, finishes the requests in flight and returns.
// Errors before serving (a model directory, the port) are exceptions naming what failed.
void run_server(const ServerOptions& options);

}  // namespace tfm::serve
