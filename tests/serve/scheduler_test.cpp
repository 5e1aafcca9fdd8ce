#include "serve/scheduler.h"

#include <gtest/gtest.h>

#include <thread>

#include "demo/number_words.h"
#include "serve/http_error.h"
#include "support/tiny_model.h"

namespace tfm::serve {
namespace {

using namespace std::chrono_literals;

class SchedulerTest : public ::testing::TestWithParam<Batching> {
 protected:
  // What `tfm translate` gives for the lines, all in one call.
  std::vector<std::string> offline(const std::vector<std::string>& lines, const decode::SearchOptions& search) {
    app::ModelDirectory model = app::load_model_directory(dir_.path());
    decode::TranslateOptions options;
    options.search = search;
    std::vector<std::string> texts;
    for (const auto& hypotheses : decode::Translator(*model.model, model.tokenizer).translate(lines, options))
      texts.push_back(hypotheses.front().text);
    return texts;
  }

  SchedulerOptions options() const {
    SchedulerOptions o;
    o.batching = GetParam();
    o.threads = 1;
    return o;
  }

  testing::TinyModelDirectory dir_;
  Metrics metrics_;
};

// Requests from many threads at once, with two beam sizes, so that sentences share decoder
// batches in combinations that vary from run to run: every translation is the one
// translating all the lines together gives.
TEST_P(SchedulerTest, ConcurrentRequestsGetTheOfflineTranslations) {
  std::vector<std::string> lines;
  for (int n = 0; n < 48; ++n) lines.push_back(demo::english_number(n * 37 % 400));
  lines[5] = "";  // an empty line translates to an empty line
  decode::SearchOptions greedy, beam;
  greedy.beam_size = 1;
  beam.beam_size = 3;
  const std::vector<std::string> expected_greedy = offline(lines, greedy), expected_beam = offline(lines, beam);

  Scheduler scheduler("tiny", dir_.path(), options(), metrics_);
  std::vector<std::string> got_greedy(lines.size()), got_beam(lines.size());
  std::vector<std::thread> clients;
  for (int c = 0; c < 6; ++c) {
    clients.emplace_back([&, c] {
      for (size_t i = size_t(c); i < lines.size(); i += 6) {
        // One sentence per request, or (every third) a pair.
        const bool pair = i % 3 == 0 && i + 6 < lines.size();
        std::vector<std::string> sentences = {lines[i]};
        if (pair) sentences.push_back(lines[i + 6]);
        for (bool use_beam : {false, true}) {
          auto job = std::make_shared<Job>(sentences, use_beam ? beam : greedy, false);
          scheduler.submit(job);
          ASSERT_TRUE(job->wait_for(60s));
          std::vector<std::string>& got = use_beam ? got_beam : got_greedy;
          got[i] = job->translations()[0].hypotheses.front().text;
          if (pair) got[i + 6] = job->translations()[1].hypotheses.front().text;
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(got_greedy, expected_greedy);
  EXPECT_EQ(got_beam, expected_beam);
  EXPECT_EQ(got_greedy[5], "");
}

TEST_P(SchedulerTest, RefusesWhatTheQueueCannotHoldAndStops) {
  SchedulerOptions o = options();
  o.max_queue = 2;
  Scheduler scheduler("tiny", dir_.path(), o, metrics_);
  auto three = std::make_shared<Job>(std::vector<std::string>{"one", "two", "three"}, decode::SearchOptions{}, false);
  try {
    scheduler.submit(three);
    FAIL() << "three sentences went into a queue of two";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.status, 429);
    EXPECT_NE(std::string(e.what()).find("full"), std::string::npos) << e.what();
  }
  auto two = std::make_shared<Job>(std::vector<std::string>{"one", "two"}, decode::SearchOptions{}, true);
  scheduler.submit(two);
  ASSERT_TRUE(two->wait_for(60s));
  ASSERT_TRUE(two->translations()[0].attention);  // asked for
  scheduler.stop();
  try {
    scheduler.submit(std::make_shared<Job>(std::vector<std::string>{"one"}, decode::SearchOptions{}, false));
    FAIL() << "a stopped scheduler took a job";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.status, 503);
  }
}

// Sentences waiting for room join the least slack first: of two that arrive together, the one
// with the longer source (the longer decoding ahead of it) joins first, even when it came second.
TEST(SchedulerAdmission, TheLongerOfTwoWaitingSentencesJoinsFirst) {
  testing::TinyModelDirectory dir;
  Metrics metrics;
  SchedulerOptions o;
  o.threads = 1;
  o.max_batch_tokens = 1;  // one sentence at a time
  Scheduler scheduler("tiny", dir.path(), o, metrics);
  // A first request gives the scheduler its step time.
  auto warm_up = std::make_shared<Job>(std::vector<std::string>{"seven"}, decode::SearchOptions{}, false);
  scheduler.submit(warm_up);
  ASSERT_TRUE(warm_up->wait_for(60s));
  const std::vector<std::string> both = {"two", "three hundred and seventy seven"};
  auto job = std::make_shared<Job>(both, decode::SearchOptions{}, false);
  scheduler.submit(job);  // both queued at once, in this order
  ASSERT_TRUE(job->wait_for(60s));
  EXPECT_LT(job->completed_at(1), job->completed_at(0));
}

INSTANTIATE_TEST_SUITE_P(Batching, SchedulerTest, ::testing::Values(Batching::continuous, Batching::request),
                         [](const auto& info) { return info.param == Batching::continuous ? "Continuous" : "Request"; });

}  // namespace
}  // namespace tfm::serve
