#include "io/model_config.h"

#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string_view>
#include <variant>

#include "io/atomic_file.h"
#include "io/format_error.h"

namespace tfm::io {
namespace {

using nlohmann::ordered_json;

// Every field once, in config.json's order: name, member, and whether config.json must give it.
// Optional fields not given keep the member's default, or the derived one set in from_json.
using Member = std::variant<int ModelConfig::*, double ModelConfig::*, bool ModelConfig::*,
                            Activation ModelConfig::*>;
struct Field {
  std::string_view name;
  Member member;
  bool required;
};
const std::array<Field, 21> kFields = {{
    {"format_version", &ModelConfig::format_version, true},
    {"vocab_size", &ModelConfig::vocab_size, true},
    {"d_model", &ModelConfig::d_model, true},
    {"nhead", &ModelConfig::nhead, true},
    {"num_encoder_layers", &ModelConfig::num_encoder_layers, true},
    {"num_decoder_layers", &ModelConfig::num_decoder_layers, true},
    {"dim_feedforward", &ModelConfig::dim_feedforward, true},
    {"dropout", &ModelConfig::dropout, true},
    {"attention_dropout", &ModelConfig::attention_dropout, false},
    {"activation_dropout", &ModelConfig::activation_dropout, false},
    {"activation", &ModelConfig::activation, true},
    {"layer_norm_eps", &ModelConfig::layer_norm_eps, false},
    {"norm_first", &ModelConfig::norm_first, true},
    {"encoder_final_norm", &ModelConfig::encoder_final_norm, false},
    {"decoder_final_norm", &ModelConfig::decoder_final_norm, false},
    {"tie_embeddings", &ModelConfig::tie_embeddings, true},
    {"pad_id", &ModelConfig::pad_id, false},
    {"unk_id", &ModelConfig::unk_id, false},
    {"bos_id", &ModelConfig::bos_id, false},
    {"eos_id", &ModelConfig::eos_id, false},
    {"max_positions", &ModelConfig::max_positions, false},
}};

constexpr std::array<std::string_view, 2> kPresets = {"S", "B"};

const Field* find_field(std::string_view name) {
  for (const Field& f : kFields)
    if (f.name == name) return &f;
  return nullptr;
}

template <typename Names>
std::string join(const Names& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + std::string(n);
  return s;
}

std::string known_fields() {
  std::vector<std::string_view> names;
  for (const Field& f : kFields) names.push_back(f.name);
  return join(names);
}

[[noreturn]] void field_error(const std::string& source, std::string_view field,
                              const std::string& what) {
  throw FormatError(source + ": field \"" + std::string(field) + "\": " + what);
}

std::string number_str(double v) { return ordered_json(v).dump(); }  // shortest exact form

std::string_view activation_name(Activation a) { return a == Activation::relu ? "relu" : "gelu"; }

// What a field's JSON value must look like, for error messages.
std::string_view expected_kind(int ModelConfig::*) { return "an integer"; }
std::string_view expected_kind(double ModelConfig::*) { return "a number"; }
std::string_view expected_kind(bool ModelConfig::*) { return "true or false"; }
std::string_view expected_kind(Activation ModelConfig::*) { return "\"relu\" or \"gelu\""; }

bool fits_int(const ordered_json& v) {
  if (v.is_number_unsigned()) return v.get<uint64_t>() <= INT_MAX;
  if (v.is_number_integer()) return v.get<int64_t>() >= INT_MIN && v.get<int64_t>() <= INT_MAX;
  return false;  // floats too: 4.0 for a layer count is more likely a mistake than a choice
}

void read_value(const ordered_json& v, int& out, const std::string& source,
                std::string_view field) {
  if (!fits_int(v)) field_error(source, field, "expected an integer, got " + v.dump());
  out = v.get<int>();
}

void read_value(const ordered_json& v, double& out, const std::string& source,
                std::string_view field) {
  if (!v.is_number()) field_error(source, field, "expected a number, got " + v.dump());
  out = v.get<double>();
}

void read_value(const ordered_json& v, bool& out, const std::string& source,
                std::string_view field) {
  if (!v.is_boolean()) field_error(source, field, "expected true or false, got " + v.dump());
  out = v.get<bool>();
}

void read_value(const ordered_json& v, Activation& out, const std::string& source,
                std::string_view field) {
  if (v == "relu")
    out = Activation::relu;
  else if (v == "gelu")
    out = Activation::gelu;
  else
    field_error(source, field, "expected \"relu\" or \"gelu\", got " + v.dump());
}

template <typename T>
ordered_json json_value(const T& v) {
  return v;
}
ordered_json json_value(Activation a) { return std::string(activation_name(a)); }

}  // namespace

ModelConfig ModelConfig::preset(const std::string& name) {
  ModelConfig c;
  c.vocab_size = 8000;
  c.d_model = 256;
  c.nhead = 4;
  c.num_encoder_layers = 3;
  c.num_decoder_layers = 3;
  c.dim_feedforward = 1024;
  c.dropout = c.attention_dropout = c.activation_dropout = 0.1;
  c.activation = Activation::relu;
  c.norm_first = false;
  c.tie_embeddings = true;
  if (name == "S") return c;
  if (name == "B") {
    c.d_model = 512;
    c.nhead = 8;
    c.num_encoder_layers = 6;
    c.num_decoder_layers = 6;
    c.dim_feedforward = 2048;
    return c;
  }
  throw std::runtime_error("unknown model preset \"" + name +
                           "\" (known presets: " + join(kPresets) + ")");
}

ModelConfig ModelConfig::from_json(const ordered_json& json, const std::string& source) {
  if (!json.is_object())
    throw FormatError(source + ": expected a JSON object of fields, got a JSON " +
                      std::string(json.type_name()));
  ModelConfig c;
  std::set<std::string_view> given;
  for (const auto& item : json.items()) {  // not a structured binding: clang 14 cannot capture one in a lambda
    const std::string& key = item.key();
    const nlohmann::ordered_json& value = item.value();
    const Field* f = find_field(key);
    if (!f)
      throw FormatError(source + ": unknown field \"" + key +
                        "\" (known fields: " + known_fields() + ")");
    std::visit([&](auto member) { read_value(value, c.*member, source, f->name); }, f->member);
    given.insert(f->name);
  }
  for (const Field& f : kFields) {
    if (!f.required || given.contains(f.name)) continue;
    const std::string_view kind =
        std::visit([](auto member) { return expected_kind(member); }, f.member);
    throw FormatError(source + ": missing field \"" + std::string(f.name) + "\" (" +
                      std::string(kind) + ")");
  }
  // Defaults that follow other fields.
  if (!given.contains("attention_dropout")) c.attention_dropout = c.dropout;
  if (!given.contains("activation_dropout")) c.activation_dropout = c.dropout;
  if (!given.contains("encoder_final_norm")) c.encoder_final_norm = c.norm_first;
  if (!given.contains("decoder_final_norm")) c.decoder_final_norm = c.norm_first;
  c.validate(source);
  return c;
}

ordered_json ModelConfig::to_json() const {
  ordered_json json = ordered_json::object();
  for (const Field& f : kFields)
    std::visit([&](auto member) { json[std::string(f.name)] = json_value(this->*member); },
               f.member);
  return json;
}

ModelConfig ModelConfig::load(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path.string() + ": " + std::strerror(errno));
  ordered_json json;
  try {
    json = ordered_json::parse(in);
  } catch (const ordered_json::exception& e) {  // parse_error, and out_of_range for numbers such as 1e999
    throw FormatError(path.string() + ": not valid JSON: " + e.what());
  }
  return from_json(json, path.string());
}

void ModelConfig::save(const std::filesystem::path& path) const {
  validate(path.string());
  write_file_atomically(path, to_json().dump(2) + "\n");
}

void ModelConfig::validate(const std::string& source) const {
  auto fail = [&](std::string_view field, const std::string& what) {
    field_error(source, field, what);
  };
  auto require_positive = [&](std::string_view field, int value) {
    if (value < 1) fail(field, "expected a positive integer, got " + std::to_string(value));
  };
  auto require_probability = [&](std::string_view field, double p) {
    if (!(p >= 0.0 && p < 1.0))
      fail(field, "expected a probability in [0, 1), got " + number_str(p));
  };

  if (format_version != 1)
    fail("format_version",
         "expected 1, the only version this tfm reads, got " + std::to_string(format_version));
  require_positive("vocab_size", vocab_size);
  require_positive("d_model", d_model);
  if (d_model % 2 != 0)
    fail("d_model", "expected an even number (the positional encoding pairs sin and cos), got " +
                        std::to_string(d_model));
  require_positive("nhead", nhead);
  if (d_model % nhead != 0)
    fail("nhead", "d_model " + std::to_string(d_model) + " is not divisible by nhead " +
                      std::to_string(nhead));
  require_positive("num_encoder_layers", num_encoder_layers);
  require_positive("num_decoder_layers", num_decoder_layers);
  require_positive("dim_feedforward", dim_feedforward);
  require_probability("dropout", dropout);
  require_probability("attention_dropout", attention_dropout);
  require_probability("activation_dropout", activation_dropout);
  if (!(layer_norm_eps > 0.0))
    fail("layer_norm_eps", "expected a positive number, got " + number_str(layer_norm_eps));

  const std::array<std::pair<std::string_view, int>, 4> special_ids = {
      {{"pad_id", pad_id}, {"unk_id", unk_id}, {"bos_id", bos_id}, {"eos_id", eos_id}}};
  for (std::size_t i = 0; i < special_ids.size(); ++i) {
    const auto& [field, id] = special_ids[i];
    if (id < 0 || id >= vocab_size)
      fail(field, "expected an id in [0, " + std::to_string(vocab_size) +
                      ") (below vocab_size), got " + std::to_string(id));
    for (std::size_t j = 0; j < i; ++j)
      if (special_ids[j].second == id)
        fail(field, std::to_string(id) + " is also " + std::string(special_ids[j].first) +
                        "; the special ids must be distinct");
  }
  require_positive("max_positions", max_positions);
}

ModelConfig load_config_arg(const std::string& arg) {
  for (std::string_view preset : kPresets)
    if (arg == preset) return ModelConfig::preset(arg);
  if (!std::filesystem::is_regular_file(arg))
    throw std::runtime_error("config \"" + arg + "\": neither a preset (" + join(kPresets) +
                             ") nor an existing file");
  return ModelConfig::load(arg);
}

}  // namespace tfm::io
