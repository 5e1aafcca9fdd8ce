// `tfm serve`: the translation server (src/serve, docs/serve.md).
#include <filesystem>
#include <map>

#include "cli/commands.h"
#include "serve/server.h"

namespace tfm::cli {

namespace {

// "NAME=DIR", or "DIR" alone, named after its last component.
serve::ModelSpec model_spec(const std::string& text) {
  const size_t equals = text.find('=');
  if (equals == std::string::npos) {
    const std::filesystem::path dir(text);
    return {(dir.has_filename() ? dir.filename() : dir.parent_path().filename()).string(), dir};
  }
  if (equals == 0) throw CLI::ValidationError("--model", "\"" + text + "\" has no name before '='");
  return {text.substr(0, equals), text.substr(equals + 1)};
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("serve", "Serve translations over HTTP (LibreTranslate-compatible and native JSON)");
  auto options = std::make_shared<serve::ServerOptions>();
  auto models = std::make_shared<std::vector<std::string>>();
  cmd->add_option("--model", *models, "NAME=DIR: a model directory served under NAME (repeat for more)")
      ->required();
  cmd->add_option("--host", options->host, "Address to listen on")->capture_default_str();
  cmd->add_option("--port", options->port, "Port to listen on (0: any free port)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--threads", options->scheduler.threads, "Threads per model (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--batching", options->scheduler.batching,
                  "continuous: sentences join and leave the decoder batch at every step; request: one request "
                  "at a time")
      ->transform(CLI::CheckedTransformer(std::map<std::string, serve::Batching>{
          {"continuous", serve::Batching::continuous}, {"request", serve::Batching::request}}))
      ->default_str("continuous");
  cmd->add_option("--max-batch-tokens", options->scheduler.max_batch_tokens,
                  "Continuous batching: beam size x source tokens of the sentences decoded together")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--max-queue", options->scheduler.max_queue,
                  "Sentences waiting per model; requests beyond it get 429")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--max-request-bytes", options->limits.max_request_bytes, "Largest request body (413 beyond)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--max-sentences", options->limits.max_sentences, "Sentences per request (413 beyond)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--max-sentence-chars", options->limits.max_sentence_chars,
                  "Characters per sentence (413 beyond)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--request-timeout", options->request_timeout_seconds,
                  "Seconds a request may take before it is answered 503")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--max-connections", options->max_connections, "Connections served at once")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->callback([options, models] {
    for (const std::string& m : *models) options->models.push_back(model_spec(m));
    serve::run_server(*options);
  });
}

}  // namespace tfm::cli
