#include "io/model_config.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "io/format_error.h"
#include "support/error_message.h"
#include "support/files.h"
#include "support/temp_dir.h"

namespace tfm::io {
namespace {

using nlohmann::ordered_json;
using tfm::testing::expect_mentions;
using tfm::testing::TempDir;
using tfm::testing::write_bytes;

TEST(ModelConfig, PresetSIsTheSmallModel) {
  const ModelConfig s = ModelConfig::preset("S");
  EXPECT_EQ(s.vocab_size, 8000);
  EXPECT_EQ(s.d_model, 256);
  EXPECT_EQ(s.nhead, 4);
  EXPECT_EQ(s.dim_feedforward, 1024);
  EXPECT_EQ(s.num_encoder_layers, 3);
  EXPECT_EQ(s.num_decoder_layers, 3);
  EXPECT_TRUE(s.tie_embeddings);
  EXPECT_FALSE(s.norm_first);
  EXPECT_FALSE(s.encoder_final_norm);
  EXPECT_FALSE(s.decoder_final_norm);
  EXPECT_EQ(s.dropout, 0.1);
  EXPECT_EQ(s.attention_dropout, 0.1);
  EXPECT_EQ(s.activation_dropout, 0.1);
  EXPECT_EQ(s.activation, Activation::relu);
  EXPECT_EQ(s.layer_norm_eps, 1e-5);
  EXPECT_EQ(s.max_positions, 1024);
  EXPECT_EQ(s.pad_id, 0);
  EXPECT_EQ(s.unk_id, 1);
  EXPECT_EQ(s.bos_id, 2);
  EXPECT_EQ(s.eos_id, 3);
  EXPECT_NO_THROW(s.validate("S"));
}

TEST(ModelConfig, PresetBIsThePaperBaseModelOtherwiseAsS) {
  ModelConfig b = ModelConfig::preset("B");
  EXPECT_EQ(b.d_model, 512);
  EXPECT_EQ(b.nhead, 8);
  EXPECT_EQ(b.dim_feedforward, 2048);
  EXPECT_EQ(b.num_encoder_layers, 6);
  EXPECT_EQ(b.num_decoder_layers, 6);
  b.d_model = 256, b.nhead = 4, b.dim_feedforward = 1024, b.num_encoder_layers = 3,
  b.num_decoder_layers = 3;
  EXPECT_EQ(b, ModelConfig::preset("S"));
}

TEST(ModelConfig, UnknownPresetListsTheKnownOnes) {
  try {
    ModelConfig::preset("XL");
    FAIL();
  } catch (const std::runtime_error& e) {
    expect_mentions(e.what(), {"\"XL\"", "S, B"});
  }
}

ModelConfig unusual_config() {
  ModelConfig c = ModelConfig::preset("B");
  c.vocab_size = 123;
  c.dropout = 0.3;
  c.attention_dropout = 0.05;
  c.activation_dropout = 0.0;
  c.activation = Activation::gelu;
  c.layer_norm_eps = 1e-6;
  c.norm_first = true;
  c.encoder_final_norm = true;
  c.decoder_final_norm = false;
  c.tie_embeddings = false;
  c.pad_id = 3, c.unk_id = 0, c.bos_id = 1, c.eos_id = 122;
  c.max_positions = 77;
  return c;
}

TEST(ModelConfig, JsonRoundTripKeepsEveryField) {
  for (const ModelConfig& c :
       {ModelConfig::preset("S"), ModelConfig::preset("B"), unusual_config()})
    EXPECT_EQ(ModelConfig::from_json(c.to_json(), "config"), c);
}

TEST(ModelConfig, JsonUsesTorchNames) {
  const ordered_json j = unusual_config().to_json();
  EXPECT_EQ(j["format_version"], 1);
  EXPECT_EQ(j["d_model"], 512);
  EXPECT_EQ(j["nhead"], 8);
  EXPECT_EQ(j["dim_feedforward"], 2048);
  EXPECT_EQ(j["activation"], "gelu");
  EXPECT_EQ(j["norm_first"], true);
  EXPECT_EQ(j["layer_norm_eps"], 1e-6);
  EXPECT_EQ(j.size(), 21u);
}

TEST(ModelConfig, SaveAndLoadRoundTrip) {
  TempDir dir;
  unusual_config().save(dir / "config.json");
  EXPECT_EQ(ModelConfig::load(dir / "config.json"), unusual_config());
  EXPECT_EQ(dir.listing(), std::vector<std::string>{"config.json"});
}

ordered_json required_fields_only(bool norm_first) {
  return ordered_json{{"format_version", 1},     {"vocab_size", 100},
                      {"d_model", 64},           {"nhead", 4},
                      {"num_encoder_layers", 2}, {"num_decoder_layers", 1},
                      {"dim_feedforward", 128},  {"dropout", 0.25},
                      {"activation", "relu"},    {"norm_first", norm_first},
                      {"tie_embeddings", false}};
}

TEST(ModelConfig, OptionalFieldsTakeTheirDocumentedDefaults) {
  const ModelConfig post = ModelConfig::from_json(required_fields_only(false), "config");
  EXPECT_EQ(post.attention_dropout, 0.25);
  EXPECT_EQ(post.activation_dropout, 0.25);
  EXPECT_EQ(post.layer_norm_eps, 1e-5);
  EXPECT_FALSE(post.encoder_final_norm);
  EXPECT_FALSE(post.decoder_final_norm);
  EXPECT_EQ(post.pad_id, 0);
  EXPECT_EQ(post.unk_id, 1);
  EXPECT_EQ(post.bos_id, 2);
  EXPECT_EQ(post.eos_id, 3);
  EXPECT_EQ(post.max_positions, 1024);

  const ModelConfig pre = ModelConfig::from_json(required_fields_only(true), "config");
  EXPECT_TRUE(pre.encoder_final_norm);
  EXPECT_TRUE(pre.decoder_final_norm);

  ordered_json j = required_fields_only(true);
  j["decoder_final_norm"] = false;
  j["attention_dropout"] = 0;
  const ModelConfig explicit_values = ModelConfig::from_json(j, "config");
  EXPECT_TRUE(explicit_values.encoder_final_norm);
  EXPECT_FALSE(explicit_values.decoder_final_norm);
  EXPECT_EQ(explicit_values.attention_dropout, 0.0);
  EXPECT_EQ(explicit_values.activation_dropout, 0.25);
}

TEST(ModelConfig, DivisibilityErrorReadsAsDocumented) {
  TempDir dir;
  ordered_json j = ModelConfig::preset("S").to_json();
  j["nhead"] = 3;
  const std::string path = (dir / "config.json").string();
  write_bytes(path, j.dump(2));
  try {
    ModelConfig::load(path);
    FAIL();
  } catch (const FormatError& e) {
    EXPECT_EQ(std::string(e.what()),
              path + ": field \"nhead\": d_model 256 is not divisible by nhead 3");
  }
}

struct BadConfig {
  const char* what;
  std::function<void(ordered_json&)> edit;
  std::vector<std::string> mentions;  // besides the path
};

// Found by fuzz/model_config_fuzzer.cpp: a number beyond a double escaped as the JSON
// library's out_of_range, whose message does not name the file.
TEST(ModelConfig, NumberBeyondADoubleIsAFormatErrorNamingTheFile) {
  tfm::testing::TempDir dir;
  const std::string path = dir.write("config.json", R"({"layer_norm_eps": 1e605})");
  try {
    ModelConfig::load(path);
    FAIL() << "1e605 must not load";
  } catch (const FormatError& e) {
    expect_mentions(e.what(), {path + ": not valid JSON", "number overflow"});
  }
}

TEST(ModelConfig, EveryInvalidFileIsAnErrorNamingFileAndField) {
  const std::vector<BadConfig> cases = {
      {"unknown field",
       [](ordered_json& j) { j["nheads"] = 4; },
       {"unknown field \"nheads\"", "known fields: format_version"}},
      {"missing field",
       [](ordered_json& j) { j.erase("d_model"); },
       {"missing field \"d_model\" (an integer)"}},
      {"string for an integer",
       [](ordered_json& j) { j["nhead"] = "4"; },
       {"field \"nhead\"", "expected an integer, got \"4\""}},
      {"float for an integer",
       [](ordered_json& j) { j["vocab_size"] = 8000.0; },
       {"field \"vocab_size\"", "expected an integer, got 8000.0"}},
      {"integer beyond int",
       [](ordered_json& j) { j["vocab_size"] = 10000000000; },
       {"field \"vocab_size\"", "expected an integer, got 10000000000"}},
      {"number for a bool",
       [](ordered_json& j) { j["norm_first"] = 1; },
       {"field \"norm_first\"", "expected true or false, got 1"}},
      {"string for a number",
       [](ordered_json& j) { j["dropout"] = "0.1"; },
       {"field \"dropout\"", "expected a number, got \"0.1\""}},
      {"unknown activation",
       [](ordered_json& j) { j["activation"] = "swish"; },
       {"field \"activation\"", "expected \"relu\" or \"gelu\", got \"swish\""}},
      {"format version",
       [](ordered_json& j) { j["format_version"] = 2; },
       {"field \"format_version\"", "expected 1", "got 2"}},
      {"zero vocabulary",
       [](ordered_json& j) { j["vocab_size"] = 0; },
       {"field \"vocab_size\"", "expected a positive integer, got 0"}},
      {"odd d_model",
       [](ordered_json& j) {
         j["d_model"] = 255;
         j["nhead"] = 5;
       },
       {"field \"d_model\"", "even", "got 255"}},
      {"zero heads",
       [](ordered_json& j) { j["nhead"] = 0; },
       {"field \"nhead\"", "expected a positive integer, got 0"}},
      {"no encoder layers",
       [](ordered_json& j) { j["num_encoder_layers"] = 0; },
       {"field \"num_encoder_layers\"", "got 0"}},
      {"no decoder layers",
       [](ordered_json& j) { j["num_decoder_layers"] = -1; },
       {"field \"num_decoder_layers\"", "got -1"}},
      {"zero feed-forward",
       [](ordered_json& j) { j["dim_feedforward"] = 0; },
       {"field \"dim_feedforward\"", "got 0"}},
      {"dropout of 1",
       [](ordered_json& j) { j["dropout"] = 1.0; },
       {"field \"dropout\"", "expected a probability in [0, 1), got 1.0"}},
      {"negative attention dropout",
       [](ordered_json& j) { j["attention_dropout"] = -0.1; },
       {"field \"attention_dropout\"", "got -0.1"}},
      {"activation dropout above 1",
       [](ordered_json& j) { j["activation_dropout"] = 1.5; },
       {"field \"activation_dropout\"", "got 1.5"}},
      {"zero epsilon",
       [](ordered_json& j) { j["layer_norm_eps"] = 0; },
       {"field \"layer_norm_eps\"", "expected a positive number, got 0"}},
      {"id beyond vocabulary",
       [](ordered_json& j) { j["eos_id"] = 8000; },
       {"field \"eos_id\"", "[0, 8000)", "got 8000"}},
      {"negative id", [](ordered_json& j) { j["pad_id"] = -1; }, {"field \"pad_id\"", "got -1"}},
      {"repeated id",
       [](ordered_json& j) { j["eos_id"] = 2; },
       {"field \"eos_id\"", "2 is also bos_id", "distinct"}},
      {"no positions",
       [](ordered_json& j) { j["max_positions"] = 0; },
       {"field \"max_positions\"", "got 0"}},
      {"not an object",
       [](ordered_json& j) {
         j = ordered_json::array({1, 2});
       },
       {"expected a JSON object of fields, got a JSON array"}},
  };
  TempDir dir;
  const std::string path = (dir / "config.json").string();
  for (const BadConfig& c : cases) {
    SCOPED_TRACE(c.what);
    ordered_json j = ModelConfig::preset("S").to_json();
    c.edit(j);
    write_bytes(path, j.dump(2));
    try {
      ModelConfig::load(path);
      ADD_FAILURE() << "accepted a config with " << c.what;
    } catch (const FormatError& e) {
      expect_mentions(e.what(), {path + ": "});
      for (const std::string& m : c.mentions) expect_mentions(e.what(), {m});
    }
  }
}

TEST(ModelConfig, InvalidJsonNamesTheFileAndPosition) {
  TempDir dir;
  const std::string path = (dir / "config.json").string();
  write_bytes(path, "{\n  \"d_model\": 256,\n  \"nhead\": \n}");
  try {
    ModelConfig::load(path);
    FAIL();
  } catch (const FormatError& e) {
    expect_mentions(e.what(), {path, "not valid JSON", "line 4"});
  }
}

TEST(ModelConfig, ValidationFromCodeNamesTheGivenSource) {
  ModelConfig c = ModelConfig::preset("S");
  c.nhead = 3;
  try {
    c.validate("config");
    FAIL();
  } catch (const FormatError& e) {
    EXPECT_EQ(std::string(e.what()),
              "config: field \"nhead\": d_model 256 is not divisible by nhead 3");
  }
}

TEST(ModelConfig, ConfigArgumentIsAPresetOrAFile) {
  EXPECT_EQ(load_config_arg("S"), ModelConfig::preset("S"));
  EXPECT_EQ(load_config_arg("B"), ModelConfig::preset("B"));
  TempDir dir;
  unusual_config().save(dir / "my.json");
  EXPECT_EQ(load_config_arg((dir / "my.json").string()), unusual_config());
  try {
    load_config_arg("M");
    FAIL();
  } catch (const std::runtime_error& e) {
    expect_mentions(e.what(), {"\"M\"", "S, B"});
  }
}

}  // namespace
}  // namespace tfm::io
