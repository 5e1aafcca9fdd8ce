#include "tensor/workspace.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace tfm {
namespace {

TEST(Workspace, BlocksAreAlignedAndDisjoint) {
  Workspace ws;
  Tensor a = ws.take({3, 5});
  Tensor b = ws.take({7});
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a.data) % 64, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b.data) % 64, 0u);
  EXPECT_GE(b.data, a.data + a.numel());
}

TEST(Workspace, SteadyStateReusesOneBlock) {
  Workspace ws;
  // Overflow the first block so that reset() must merge.
  for (int i = 0; i < 3; ++i) ws.take({int64_t{3} << 20});
  ws.reset();
  const size_t reserved = ws.bytes_reserved();
  float* first = nullptr;
  for (int step = 0; step < 3; ++step) {
    float* p = ws.take({int64_t{3} << 20}).data;
    for (int i = 0; i < 2; ++i) ws.take({int64_t{3} << 20});
    if (step == 0) first = p;
    EXPECT_EQ(p, first);
    EXPECT_EQ(ws.bytes_reserved(), reserved);
    ws.reset();
  }
}

TEST(Workspace, ReleaseToKeepsOneTensorAndGivesBackTheRest) {
  Workspace ws;
  Tensor below = ws.take_zeros({16});
  const Workspace::Mark mark = ws.mark();
  Tensor scratch = ws.take({1000});
  Tensor kept = ws.take({5});
  for (int i = 0; i < 5; ++i) kept.data[i] = float(i + 1);
  Tensor moved = ws.release_to(mark, kept);
  EXPECT_EQ(moved.data, scratch.data);  // down to where the mark was
  EXPECT_EQ(moved.shape, kept.shape);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(moved.data[i], float(i + 1));
  for (int i = 0; i < 16; ++i) EXPECT_EQ(below.data[i], 0.0f);
  EXPECT_GE(ws.take({1}).data, moved.data + 5);  // what follows comes after the kept tensor
}

TEST(Workspace, ReleasedOverflowIsNotReservedAgain) {
  Workspace ws;
  // Each layer-like round takes 40 MB (past a block) and keeps 1 MB: a pass holds about
  // 41 MB at a time, not 4 x 40.
  const Workspace::Mark mark = ws.mark();
  for (int round = 0; round < 4; ++round) {
    ws.take({int64_t{10} << 20});
    Tensor out = ws.take({int64_t{1} << 18});
    out.data[0] = float(round);
    Tensor kept = ws.release_to(mark, out);
    EXPECT_EQ(kept.data[0], float(round));
  }
  ws.reset();
  EXPECT_LT(ws.bytes_reserved(), size_t{48} << 20);
}

TEST(Workspace, TakeZerosIsZero) {
  Workspace ws;
  Tensor t = ws.take_zeros({4, 4});
  for (int64_t i = 0; i < t.numel(); ++i) EXPECT_EQ(t.data[i], 0.0f);
}

}  // namespace
}  // namespace tfm
