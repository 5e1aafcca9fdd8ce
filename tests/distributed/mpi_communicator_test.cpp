// The MPI communicator between real ranks: run by mpirun with 2 (or more) ranks, every rank
// runs every test. Gradients are summed in buckets exactly, whatever the bucket size; the
// loss totals and rank 0's values reach every rank; a weights mismatch names the rank.
#include <gtest/gtest.h>

#include "distributed/mpi_communicator.h"

namespace tfm::distributed {
namespace {

MpiSession* session = nullptr;

// Small integers: their float sums are exact in any order.
float gradient_value(int rank, size_t entry, int64_t i) { return float((rank + 1) * 100 + int64_t(entry) * 10 + i % 7); }

class GradientSum : public ::testing::TestWithParam<int64_t> {};

TEST_P(GradientSum, SumsEveryGradientOverTheRanksInBuckets) {
  MpiCommunicator communicator(*session, {GetParam(), 60});
  ParameterSet params;
  for (const char* name : {"p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8"})
    params.add(name, {params.entries().size() % 3 == 0 ? 300 : 17});
  const int ranks = communicator.ranks();
  for (int step = 0; step < 2; ++step) {  // the second step reuses the bucket plan
    const auto& entries = params.entries();
    for (size_t e = 0; e < entries.size(); ++e)
      for (int64_t i = 0; i < entries[e].param.grad.numel(); ++i)
        entries[e].param.grad.data[i] = gradient_value(communicator.rank(), e, i);
    communicator.begin_gradient_sum(params);
    for (size_t first : {7u, 5u, 4u, 1u}) communicator.gradients_final_from(first);
    communicator.finish_gradient_sum();
    for (size_t e = 0; e < entries.size(); ++e)
      for (int64_t i = 0; i < entries[e].param.grad.numel(); ++i) {
        float expected = 0;
        for (int r = 0; r < ranks; ++r) expected += gradient_value(r, e, i);
        ASSERT_EQ(entries[e].param.grad.data[i], expected) << entries[e].name << "[" << i << "]";
      }
  }
  const train::CommunicationStatistics statistics = communicator.take_statistics();
  EXPECT_EQ(statistics.steps, 2);
  EXPECT_GE(statistics.gradient_bytes, 2.0 * double(params.total_numel() * sizeof(float)));
  EXPECT_EQ(communicator.take_statistics().steps, 0);
}

// One float, smaller than any parameter; 1 KiB, a few per bucket; 1 MiB, all in one.
INSTANTIATE_TEST_SUITE_P(BucketBytes, GradientSum, ::testing::Values(4, 1024, 1 << 20));

TEST(MpiCommunicator, SumsAndBroadcastsNumbers) {
  MpiCommunicator communicator(*session, {});
  const int rank = communicator.rank(), ranks = communicator.ranks();
  std::vector<double> values = {double(rank), 0.5};
  communicator.sum(values);
  EXPECT_EQ(values[0], ranks * (ranks - 1) / 2);
  EXPECT_EQ(values[1], 0.5 * ranks);
  std::vector<double> from_first = {double(rank + 7)};
  communicator.broadcast_from_first(from_first);
  EXPECT_EQ(from_first[0], 7.0);
}

TEST(MpiCommunicator, ACheckOfIdenticalWeightsNamesTheRanksThatDiffer) {
  MpiCommunicator communicator(*session, {});
  EXPECT_NO_THROW(communicator.check_identical(42, "the weights after step 3"));
  const int rank = communicator.rank();
  try {
    communicator.check_identical(rank == 1 ? 43 : 42, "the weights after step 4");
    FAIL() << "rank " << rank << ": no error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(),
                 "the weights after step 4 differ between ranks: rank(s) 1 disagree with rank 0 (fingerprint "
                 "000000000000002a); the ranks no longer train the same model, so training stops");
  }
}

}  // namespace
}  // namespace tfm::distributed

int main(int argc, char** argv) {
  tfm::distributed::MpiSession session;
  tfm::distributed::session = &session;
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
