// Whole `tfm train` processes under what only separate processes show: a second run on a
// directory in use, a full disk, an unwritable directory, and kill -9 at random moments.
// Each run is on one thread, so that an interrupted run can be compared bitwise with an
// uninterrupted one.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "support/error_message.h"
#include "support/files.h"
#include "support/tfm_process.h"
#include "support/tiny_task.h"

namespace tfm::train {
namespace {

namespace fs = std::filesystem;
using testing::ChildLimits;
using testing::TfmProcess;
using testing::run_tfm;
using testing::TinyTask;
using Clock = std::chrono::steady_clock;

std::string step_name(int step) {
  char name[32];
  std::snprintf(name, sizeof name, "step-%09d", step);
  return name;
}

// The step of the checkpoint that `latest` names.
int latest_step(const fs::path& model) {
  const std::string name = testing::read_bytes(model / "checkpoints" / "latest");
  return std::stoi(name.substr(std::string("step-").size()));
}

// Every file under `dir` (path relative to it -> bytes), but the lock file, whose contents
// are the id of its last holder, and metrics.jsonl, which a failed run may extend past its
// last checkpoint (the next run drops those lines).
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    const std::string name = fs::relative(entry.path(), dir).string();
    if (entry.is_regular_file() && name != "lock" && name != "metrics.jsonl")
      files[name] = testing::read_bytes(entry.path());
  }
  return files;
}

// The train-loss lines of metrics.jsonl, without timing fields.
std::vector<std::string> losses(const fs::path& metrics) {
  std::vector<std::string> out;
  std::istringstream in(testing::read_bytes(metrics));
  for (std::string line; std::getline(in, line);) {
    const auto j = nlohmann::json::parse(line);
    if (j["type"] == "train") out.push_back(j["loss"].dump() + "@" + j["step"].dump());
  }
  return out;
}

// A checkpoint's state.json without the training time, which differs from run to run.
nlohmann::json state_without_time(const fs::path& checkpoint) {
  nlohmann::json state = nlohmann::json::parse(testing::read_bytes(checkpoint / "state.json"));
  state.erase("elapsed_seconds");
  return state;
}

// Checkpoint `step` of `run` holds exactly what the uninterrupted run's did when it wrote it:
// weights and state, and the optimizer state where the run still keeps it (always in the
// latest; older checkpoints lose it once a newer one is complete).
void expect_same_checkpoint(const fs::path& straight, const fs::path& run, const std::string& name) {
  const fs::path a = straight / "checkpoints" / name, b = run / "checkpoints" / name;
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(b)) files.push_back(entry.path().filename().string());
  std::sort(files.begin(), files.end());
  const bool latest = fs::exists(run / "checkpoints" / "latest") && name == step_name(latest_step(run));
  if (latest || files.size() == 3)
    EXPECT_EQ(files, (std::vector<std::string>{"model.safetensors", "optimizer.safetensors", "state.json"})) << b;
  else
    EXPECT_EQ(files, (std::vector<std::string>{"model.safetensors", "state.json"})) << b;
  EXPECT_TRUE(testing::read_bytes(a / "model.safetensors") == testing::read_bytes(b / "model.safetensors"))
      << b << ": weights differ";
  // Where both still hold it (the uninterrupted run, in its last checkpoint alone). Every
  // resume reads the optimizer state of a killed run's latest, so that a wrong one would also
  // show in the final checkpoint, which both keep whole.
  if (files.size() == 3 && fs::exists(a / "optimizer.safetensors")) {
    EXPECT_TRUE(testing::read_bytes(a / "optimizer.safetensors") == testing::read_bytes(b / "optimizer.safetensors"))
        << b << ": optimizer state differs";
  }
  EXPECT_EQ(state_without_time(a), state_without_time(b)) << b;
}

// Polls `done` every 5 ms for up to a minute.
template <typename Condition>
bool wait_for(Condition done) {
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (!done()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

TEST(TrainProcesses, SecondRunOnADirectoryInUseRefusesAndAKilledRunLeavesItFree) {
  TinyTask task(100, 0.1);
  const fs::path model = task.dir / "model";
  TfmProcess first(task.train_arguments("model", {"--max-steps", "1000000", "--valid-every", "2"}),
                     task.dir / "first.log");
  ASSERT_TRUE(wait_for([&] { return fs::exists(model / "checkpoints" / "latest") || first.ended(); }))
      << first.output();
  ASSERT_FALSE(first.ended()) << first.output();

  for (const std::vector<std::string>& extra : {std::vector<std::string>{"--max-steps", "2"},
                                                std::vector<std::string>{"--resume", "--max-steps", "1000000"}}) {
    const auto second = run_tfm(task.train_arguments("model", extra), task.dir / "second.log");
    EXPECT_EQ(second.exit_code, 1) << second.output;
    testing::expect_mentions(second.output, {model.string() + " is in use", "pid " + std::to_string(first.pid()),
                                             (model / "lock").string()});
  }
  EXPECT_FALSE(first.ended()) << "the refused runs must not disturb the running one: " << first.output();

  first.kill();
  EXPECT_EQ(first.wait(), 128 + SIGKILL);
  // The kill left the lock file behind, but not the lock: the run resumes.
  const int latest = latest_step(model);
  const auto after = run_tfm(task.train_arguments("model", {"--resume", "--max-steps", std::to_string(latest + 2)}),
                             task.dir / "after.log");
  EXPECT_EQ(after.exit_code, 0) << after.output;
  EXPECT_EQ(latest_step(model), latest + 2);
}

// A run that fails on a full or unwritable disk names the file, leaves the model directory
// as it was, and resumes afterwards to the same result as a run that never failed.
void expect_failure_leaves_the_run_resumable(const TinyTask& task, const std::string& model_name,
                                             const std::function<testing::ChildResult()>& failing_run,
                                             const std::function<void()>& repair,
                                             std::initializer_list<std::string> message) {
  const fs::path model = task.dir / model_name;
  const auto straight = run_tfm(task.train_arguments("straight", {"--max-steps", "8", "--valid-every", "2"}),
                                task.dir / "straight.log");
  ASSERT_EQ(straight.exit_code, 0) << straight.output;
  const auto first = run_tfm(task.train_arguments(model_name, {"--max-steps", "4", "--valid-every", "2"}),
                             task.dir / "first.log");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto before = snapshot(model);

  const testing::ChildResult failed = failing_run();
  EXPECT_EQ(failed.exit_code, 1) << failed.output;
  testing::expect_mentions(failed.output, message);
  EXPECT_TRUE(snapshot(model) == before) << "the failed run changed the model directory";

  repair();
  const auto resumed = run_tfm(task.train_arguments(model_name, {"--resume", "--max-steps", "8", "--valid-every", "2"}),
                               task.dir / "resumed.log");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  expect_same_checkpoint(task.dir / "straight", model, step_name(8));
  EXPECT_EQ(losses(task.dir / "straight" / "metrics.jsonl"), losses(model / "metrics.jsonl"));
}

const std::vector<std::string> kResumeTo8 = {"--resume", "--max-steps", "8", "--valid-every", "2"};

TEST(TrainProcesses, FileSizeLimitFailsClearlyAndTheRunResumes) {
  TinyTask task(100, 0.1);
  // A limit far below a checkpoint's size: write() fails with EFBIG, as it would with ENOSPC.
  expect_failure_leaves_the_run_resumable(
      task, "model",
      [&] {
        return run_tfm(task.train_arguments("model", kResumeTo8), task.dir / "failed.log",
                       ChildLimits{.max_file_bytes = 64 << 10, .user = std::nullopt});
      },
      [] {}, {"tfm: error: cannot write " + (task.dir / "model" / "model.safetensors").string(), "File too large"});
}

// A small tmpfs mounted for the test (only where mounting is allowed, e.g. as root).
class SmallDisk {
 public:
  explicit SmallDisk(const fs::path& at) : at_(at) {
    fs::create_directories(at);
    mounted_ = ::mount("tfm-test", at.c_str(), "tmpfs", 0, "size=16m") == 0;
  }
  ~SmallDisk() {
    if (mounted_) ::umount(at_.c_str());
  }
  bool mounted() const { return mounted_; }
  // Fills the disk but for `left` bytes.
  void fill(uint64_t left) {
    struct statvfs s {};
    ASSERT_EQ(::statvfs(at_.c_str(), &s), 0);
    const uint64_t free = uint64_t(s.f_bavail) * s.f_frsize;
    ASSERT_GT(free, left);
    testing::write_bytes(at_ / "filler", std::string(free - left, 'x'));
  }
  void empty() { fs::remove(at_ / "filler"); }

 private:
  fs::path at_;
  bool mounted_ = false;
};

TEST(TrainProcesses, FullDiskFailsClearlyAndTheRunResumes) {
  TinyTask task(100, 0.1);
  SmallDisk disk(task.dir / "disk");
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root); FileSizeLimit covers the same path";
  expect_failure_leaves_the_run_resumable(
      task, "disk/model",
      [&] {
        disk.fill(128 << 10);
        return run_tfm(task.train_arguments("disk/model", kResumeTo8), task.dir / "failed.log");
      },
      [&] { disk.empty(); }, {"tfm: error: cannot write " + (task.dir / "disk" / "model").string(), "No space left"});
}

TEST(TrainProcesses, UnwritableModelDirectoryFailsClearlyAndTheRunResumes) {
  TinyTask task(100, 0.1);
  const fs::path model = task.dir / "model";
  ChildLimits limits;
  if (::geteuid() == 0) {
    // Root writes anywhere: the run drops to nobody, who may read the task's files only.
    limits.user = 65534;
    fs::permissions(task.dir.path(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                         fs::perms::others_read | fs::perms::others_exec);
  }
  const auto read_only = fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                         fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec;
  expect_failure_leaves_the_run_resumable(
      task, "model",
      [&] {
        fs::permissions(model, read_only);
        fs::permissions(model / "checkpoints", read_only);
        return run_tfm(task.train_arguments("model", kResumeTo8), task.dir / "failed.log", limits);
      },
      [&] {
        fs::permissions(model, fs::perms::owner_all, fs::perm_options::add);
        fs::permissions(model / "checkpoints", fs::perms::owner_all, fs::perm_options::add);
      },
      {"tfm: error: cannot", model.string(), "Permission denied"});
}

// What a killed run left: which phase the kill landed in.
enum class Landed { starting, training, writing };

Landed classify(const fs::path& model, const std::string& output) {
  for (const fs::path& dir : {model, model / "checkpoints"}) {
    if (!fs::is_directory(dir)) continue;
    for (const auto& entry : fs::directory_iterator(dir)) {
      const std::string name = entry.path().filename().string();
      if (name.starts_with("partial-") || name.find(".tmp-") != std::string::npos) return Landed::writing;
    }
  }
  return output.find(" loss ") != std::string::npos ? Landed::training : Landed::starting;
}

// TFM_KILL_TEST_KILLS sets the number of kills (20 by default; more for a longer soak).
int kills_wanted() {
  const char* value = std::getenv("TFM_KILL_TEST_KILLS");
  return value ? std::max(1, std::atoi(value)) : 20;
}

TEST(TrainProcesses, KilledAtRandomMomentsAndResumedEqualsUninterruptedRun) {
  TinyTask task(100, 0.1);
  const int steps = 40;
  const int kills = kills_wanted();
  // A checkpoint every step: a good share of the run is spent writing them.
  const std::vector<std::string> run = {"--max-steps", std::to_string(steps), "--valid-every", "1",
                                        "--keep-checkpoints", "1000"};
  const auto start = Clock::now();
  const auto straight = run_tfm(task.train_arguments("straight", run), task.dir / "straight.log");
  ASSERT_EQ(straight.exit_code, 0) << straight.output;
  const double straight_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  // The time to the end of a resumed run's first step and checkpoint, measured on a copy.
  std::vector<std::string> resume = run;
  resume.push_back("--resume");
  fs::copy(task.dir / "straight", task.dir / "probe", fs::copy_options::recursive);
  std::vector<std::string> one_more = {"--resume", "--max-steps", std::to_string(steps + 1), "--valid-every", "1"};
  const auto probe_start = Clock::now();
  ASSERT_EQ(run_tfm(task.train_arguments("probe", one_more), task.dir / "probe.log").exit_code, 0);
  const double first_step_seconds = std::chrono::duration<double>(Clock::now() - probe_start).count();

  // Kills land anywhere from the start to the first step plus twice a run's share of the
  // training time, so that they spread over the whole run.
  std::mt19937 rng(2026);
  std::uniform_real_distribution<double> delay(
      0.0, first_step_seconds + 2.0 * std::max(0.0, straight_seconds - first_step_seconds) / kills);
  const fs::path model = task.dir / "killed";
  int landed[3] = {0, 0, 0};
  for (int k = 0; k < kills; ++k) {
    const bool has_checkpoint = fs::exists(model / "checkpoints" / "latest");
    // Killed before its first checkpoint, a run has nothing to resume: it starts afresh.
    if (!has_checkpoint) fs::remove_all(model);
    TfmProcess child(task.train_arguments("killed", has_checkpoint ? resume : run), task.dir / "killed.log");
    std::this_thread::sleep_for(std::chrono::duration<double>(delay(rng)));
    child.kill();
    const int code = child.wait();
    ASSERT_TRUE(code == 128 + SIGKILL || code == 0) << child.output();
    ++landed[int(classify(model, child.output()))];
    // Every checkpoint on disk is complete and the one the uninterrupted run wrote at its step.
    if (fs::exists(model / "checkpoints" / "latest")) {
      ASSERT_TRUE(fs::is_directory(model / "checkpoints" / step_name(latest_step(model))));
    }
    if (fs::is_directory(model / "checkpoints"))
      for (const auto& entry : fs::directory_iterator(model / "checkpoints"))
        if (entry.path().filename().string().starts_with("step-"))
          expect_same_checkpoint(task.dir / "straight", model, entry.path().filename().string());
    if (HasFailure()) return;
  }
  const auto last = run_tfm(task.train_arguments("killed", fs::exists(model / "checkpoints" / "latest") ? resume : run),
                            task.dir / "last.log");
  ASSERT_EQ(last.exit_code, 0) << last.output;
  expect_same_checkpoint(task.dir / "straight", model, step_name(steps));
  EXPECT_TRUE(testing::read_bytes(task.dir / "straight" / "model.safetensors") ==
              testing::read_bytes(model / "model.safetensors"));
  EXPECT_EQ(losses(task.dir / "straight" / "metrics.jsonl"), losses(model / "metrics.jsonl"));
  const double total = std::chrono::duration<double>(Clock::now() - start).count();
  std::cout << "kill -9: " << kills << " kills: " << landed[int(Landed::starting)] << " while starting, "
            << landed[int(Landed::training)] << " while training, " << landed[int(Landed::writing)]
            << " while writing a checkpoint or the model; uninterrupted run " << straight_seconds
            << " s, a resumed run's first step " << first_step_seconds << " s, whole test " << total << " s\n";
}

// oneDNN takes ONEDNN_MAX_CPU_ISA as the most the CPU may use: capped at AVX2 (a Zen 1, say),
// the recipe multiplies in float32 and an explicit bfloat16 is refused before anything is written.
TEST(TrainProcess, WithoutBfloat16InstructionsProductsStayFloat32AndBfloat16IsRefused) {
  TinyTask task(100, 0.0);
  ::setenv("ONEDNN_MAX_CPU_ISA", "AVX2", 1);
  const auto recipe = run_tfm(task.train_arguments("auto", {"--max-steps", "2"}), task.dir / "auto.log");
  const auto given = run_tfm(task.train_arguments("given", {"--max-steps", "2", "--matmul-precision", "bfloat16"}),
                             task.dir / "given.log");
  ::unsetenv("ONEDNN_MAX_CPU_ISA");
  EXPECT_EQ(recipe.exit_code, 0) << recipe.output;
  testing::expect_mentions(recipe.output, {"recipe: matmul_precision \"float32\": the CPU has no bfloat16 dot products"});
  const auto settings = nlohmann::json::parse(testing::read_bytes(task.dir / "auto" / "training.json"));
  EXPECT_EQ(settings["matmul_precision"]["value"], "float32");
  EXPECT_EQ(given.exit_code, 1) << given.output;
  testing::expect_mentions(given.output, {"--matmul-precision bfloat16", "AVX512_BF16"});
  EXPECT_FALSE(fs::exists(task.dir / "given"));
}

TEST(TrainProcess, DropoutOutsideZeroToOneIsRefusedBeforeAnythingIsWritten) {
  TinyTask task(100, 0.0);
  for (const std::string value : {"1", "-0.1"}) {
    const auto refused = run_tfm(task.train_arguments("model", {"--max-steps", "2", "--dropout=" + value}),
                                 task.dir / "refused.log");
    EXPECT_EQ(refused.exit_code, 1) << refused.output;
    testing::expect_mentions(refused.output, {"dropout must be in [0, 1), got " + value});
    EXPECT_FALSE(fs::exists(task.dir / "model"));
  }
}

}  // namespace
}  // namespace tfm::train
