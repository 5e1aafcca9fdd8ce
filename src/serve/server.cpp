#include "serve/server.h"

#include <httplib.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "serve/http_error.h"
#include "serve/web_assets.h"
#include "text/utf8.h"

namespace tfm::serve {

namespace {

using nlohmann::json;

constexpr const char* kJson = "application/json";

class Server {
 public:
  explicit Server(const ServerOptions& options) : options_(options) {
    for (const ModelSpec& m : options.models) {
      if (schedulers_.contains(m.name)) throw std::invalid_argument("--model: the name \"" + m.name + "\" is used twice");
      schedulers_.emplace(m.name, std::make_unique<Scheduler>(m.name, m.directory, options.scheduler, metrics_));
      std::cerr << "tfm serve: model \"" << m.name << "\" from " << m.directory.string() << "\n";
    }
    routes();
  }

  // Binds, then serves until stop(). Returns false when the port cannot be bound.
  int bind() {
    const int port = options_.port == 0 ? http_.bind_to_any_port(options_.host)
                                        : (http_.bind_to_port(options_.host, options_.port) ? options_.port : -1);
    if (port < 0)
      throw std::runtime_error("cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                               " (in use, or not an address of this machine)");
    // The HTTP library listens with a backlog of 5: clients connecting at once beyond that
    // have their SYNs dropped and wait a second for a retry, or are reset. Linux lets a
    // listening socket listen again, with the system's maximum.
    ::listen(listening_socket_, SOMAXCONN);
    return port;
  }
  void serve() { http_.listen_after_bind(); }

  void stop() {
    stopping_ = true;
    http_.stop();
  }
  void stop_models() {
    for (auto& [name, scheduler] : schedulers_) scheduler->stop();
  }

 private:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

  // Every endpoint's errors become {"error": ...} with their status, and every answer counts.
  Handler endpoint(const std::string& name, Handler handler) {
    return [this, name, handler](const httplib::Request& request, httplib::Response& response) {
      const auto start = std::chrono::steady_clock::now();
      std::string error_kind;
      try {
        handler(request, response);
      } catch (const HttpError& e) {
        respond_error(response, e.status, e.what());
        error_kind = e.kind;
      } catch (const std::exception& e) {
        respond_error(response, 500, std::string("internal error: ") + e.what());
        error_kind = "internal";
      }
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      metrics_.request(name, response.status == -1 ? 200 : response.status, seconds, error_kind);
    };
  }

  static void respond_error(httplib::Response& response, int status, const std::string& message) {
    response.status = status;
    // The message may quote the client's bytes, which need not be UTF-8.
    response.set_content(json{{"error", message}}.dump(-1, ' ', false, json::error_handler_t::replace), kJson);
  }

  void routes() {
    http_.new_task_queue = [n = options_.max_connections] { return new httplib::ThreadPool(size_t(n)); };
    http_.set_payload_max_length(options_.limits.max_request_bytes);
    http_.set_tcp_nodelay(true);  // else Nagle's algorithm holds small answers back for 40 ms
    // The library's default closes a connection after 5 requests: keep-alive clients would
    // reconnect every fifth request. An idle connection still ends after 5 s, as it holds a thread.
    http_.set_keep_alive_max_count(10000);
    http_.set_socket_options([this](socket_t socket) {
      httplib::default_socket_options(socket);
      listening_socket_ = socket;
    });
    // Errors the HTTP library answers itself (an unknown path, a body over the limit) get a
    // JSON body too; those of our endpoints already have one.
    http_.set_error_handler(httplib::Server::HandlerWithResponse([this](const httplib::Request& request,
                                                                         httplib::Response& response) {
      if (!response.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
      const std::string message =
          response.status == 404   ? "no such endpoint: " + request.method + " " + request.path
          : response.status == 413 ? "the request is over " + std::to_string(options_.limits.max_request_bytes) + " bytes"
                                   : "HTTP error " + std::to_string(response.status);
      respond_error(response, response.status, message);
      metrics_.request("other", response.status, 0.0, HttpError::kind_of(response.status));
      return httplib::Server::HandlerResponse::Handled;
    }));

    http_.Get("/health", endpoint("/health", [this](const httplib::Request&, httplib::Response& response) {
      if (stopping_) throw HttpError(503, "the server is shutting down");
      response.set_content(json{{"status", "ok"}}.dump(), kJson);
    }));
    http_.Get("/v1/models", endpoint("/v1/models", [this](const httplib::Request&, httplib::Response& response) {
      json models = json::array();
      for (const auto& [name, scheduler] : schedulers_) {
        const io::ModelConfig& c = scheduler->config();
        models.push_back({{"name", name},
                          {"directory", scheduler->directory().string()},
                          {"d_model", c.d_model},
                          {"heads", c.nhead},
                          {"encoder_layers", c.num_encoder_layers},
                          {"decoder_layers", c.num_decoder_layers},
                          {"vocab_size", c.vocab_size}});
      }
      response.set_content(json{{"models", models}}.dump(), kJson);
    }));
    http_.Post("/v1/translate", endpoint("/v1/translate", [this](const httplib::Request& request,
                                                                 httplib::Response& response) {
      const TranslateRequest r = parse_translate_request(request.body, options_.limits);
      Scheduler& scheduler = model_named(r.model);
      response.set_content(translate_response(scheduler.name(), translate(scheduler, r)).dump(), kJson);
    }));
    http_.Post("/translate", endpoint("/translate", [this](const httplib::Request& request, httplib::Response& response) {
      const TranslateRequest r = parse_libretranslate_request(libretranslate_body(request), options_.limits);
      response.set_content(libretranslate_response(r, translate(model_for(r.source, r.target), r)).dump(), kJson);
    }));
    http_.Get("/languages", endpoint("/languages", [this](const httplib::Request&, httplib::Response& response) {
      std::map<std::string, std::set<std::string>> targets;
      for (const auto& [name, scheduler] : schedulers_) {
        const size_t dash = name.find('-');
        if (dash != std::string::npos) targets[name.substr(0, dash)].insert(name.substr(dash + 1));
      }
      json languages = json::array();
      for (const auto& [source, to] : targets) languages.push_back({{"code", source}, {"name", source}, {"targets", to}});
      response.set_content(languages.dump(), kJson);
    }));
    http_.Get("/metrics", endpoint("/metrics", [this](const httplib::Request&, httplib::Response& response) {
      response.set_content(metrics_.render(), "text/plain; version=0.0.4; charset=utf-8");
    }));
    // The web page (docs/serve.md), served from the binary itself.
    for (const WebAsset& asset : web_assets())
      http_.Get(std::string(asset.path),
                endpoint("page", [&asset](const httplib::Request&, httplib::Response& response) {
                  response.set_content(asset.body.data(), asset.body.size(), std::string(asset.content_type));
                }));
  }

  // LibreTranslate clients send JSON or an HTML form.
  static std::string libretranslate_body(const httplib::Request& request) {
    if (!request.has_param("q")) return request.body;
    json j;
    for (const char* field : {"q", "source", "target", "format", "api_key"}) {
      if (!request.has_param(field)) continue;
      const std::string value = request.get_param_value(field);
      if (const auto invalid = text::find_invalid_utf8(value))
        throw HttpError(400, std::string("form field \"") + field + "\" is not UTF-8: byte " +
                                 std::to_string(invalid->byte_offset) + " (" + invalid->detail + ")");
      j[field] = value;
    }
    if (request.has_param("alternatives")) {
      const std::string n = request.get_param_value("alternatives");
      try {
        j["alternatives"] = std::stoi(n);
      } catch (const std::exception&) {
        throw HttpError(400, "\"alternatives\" must be an integer, got \"" + n + "\"");
      }
    }
    return j.dump();
  }

  std::string model_names() const {
    std::string names;
    for (const auto& [name, scheduler] : schedulers_) names += (names.empty() ? "" : ", ") + name;
    return names;
  }

  Scheduler& model_named(const std::string& name) {
    if (name.empty()) {
      if (schedulers_.size() == 1) return *schedulers_.begin()->second;
      throw HttpError(400, "give \"model\": one of " + model_names());
    }
    auto it = schedulers_.find(name);
    if (it == schedulers_.end()) throw HttpError(404, "no model \"" + name + "\"; the models are: " + model_names());
    return *it->second;
  }

  Scheduler& model_for(const std::string& source, const std::string& target) {
    auto it = schedulers_.find(source + "-" + target);
    if (it != schedulers_.end()) return *it->second;
    if (schedulers_.size() == 1) return *schedulers_.begin()->second;
    throw HttpError(404, "no model translates \"" + source + "\" to \"" + target + "\"; the models are: " +
                             model_names() + " (named source-target)");
  }

  std::vector<Translation> translate(Scheduler& scheduler, const TranslateRequest& r) {
    if (stopping_) throw HttpError(503, "the server is shutting down");
    auto job = std::make_shared<Job>(r.sentences, r.search, r.attention);
    scheduler.submit(job);
    if (!job->wait_for(std::chrono::seconds(options_.request_timeout_seconds)))
      throw HttpError(503, "the request was not done within " + std::to_string(options_.request_timeout_seconds) +
                               " s (--request-timeout); the server is overloaded", "timeout");
    return job->translations();
  }

  ServerOptions options_;
  Metrics metrics_;
  std::map<std::string, std::unique_ptr<Scheduler>> schedulers_;
  httplib::Server http_;
  socket_t listening_socket_ = INVALID_SOCKET;
  std::atomic<bool> stopping_ = false;
};

}  // namespace

void run_server(const ServerOptions& options) {
  if (options.models.empty()) throw std::invalid_argument("give at least one --model NAME=DIR");
  // SIGTERM and SIGINT are taken by one thread, which stops the server cleanly: every thread
  // started from here on inherits the mask, so none is interrupted by them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  Server server(options);
  const int port = server.bind();
  std::cout << "listening on http://" << options.host << ":" << port << std::endl;
  std::thread stopper([&] {
    int signal = 0;
    sigwait(&signals, &signal);
    std::cerr << "tfm serve: " << (signal == SIGINT ? "interrupted" : "terminated")
              << ": finishing the requests in flight" << std::endl;
    server.stop();
  });
  server.serve();
  if (stopper.joinable()) {
    pthread_kill(stopper.native_handle(), SIGTERM);  // if serving ended otherwise, the stopper still waits
    stopper.join();
  }
  server.stop_models();
  std::cerr << "tfm serve: stopped" << std::endl;
}

}  // namespace tfm::serve
