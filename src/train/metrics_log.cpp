#include "train/metrics_log.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "io/format_error.h"

namespace tfm::train {

namespace {

// Reads one record's fields with errors that name the line and field.
class Line {
 public:
  Line(const nlohmann::json& object, std::string where) : object_(object), where_(std::move(where)) {}

  const nlohmann::json& field(const char* name) const {
    const auto it = object_.find(name);
    if (it == object_.end()) fail(std::string("field \"") + name + "\" is missing");
    return *it;
  }
  std::string string(const char* name) const {
    const nlohmann::json& value = field(name);
    if (!value.is_string()) fail_type(name, "a string", value);
    return value.get<std::string>();
  }
  int64_t integer(const char* name) const {
    const nlohmann::json& value = field(name);
    if (!value.is_number_integer()) fail_type(name, "an integer", value);
    return value.get<int64_t>();
  }
  double number(const char* name) const {
    const nlohmann::json& value = field(name);
    if (!value.is_number()) fail_type(name, "a number", value);
    return value.get<double>();
  }

  [[noreturn]] void fail(const std::string& what) const { throw io::FormatError(where_ + ": " + what); }

 private:
  [[noreturn]] void fail_type(const char* name, const char* expected, const nlohmann::json& got) const {
    fail(std::string("field \"") + name + "\": expected " + expected + ", got " + got.type_name() + " " +
         got.dump());
  }

  const nlohmann::json& object_;
  std::string where_;
};

}  // namespace

MetricsLog read_metrics_log(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw io::FormatError("cannot read " + path.string());
  MetricsLog log;
  std::string text;
  for (int64_t number = 1; std::getline(in, text); ++number) {
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = path.string() + ":" + std::to_string(number);
    nlohmann::json object;
    try {
      object = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for numbers such as 1e999
      throw io::FormatError(where + ": not valid JSON: " + e.what());
    }
    const Line line(object, where);
    if (!object.is_object()) line.fail(std::string("expected a JSON object, got ") + object.type_name());
    const std::string type = line.string("type");
    if (type == "train")
      log.train.push_back({line.integer("step"), line.number("loss")});
    else if (type == "valid")
      log.valid.push_back({line.integer("step"), line.number("loss"), line.number("bleu")});
  }
  if (in.bad()) throw io::FormatError("cannot read " + path.string());
  return log;
}

}  // namespace tfm::train
