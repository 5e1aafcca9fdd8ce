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

TEST(Workspace, TakeZerosIsZero) {
  Workspace ws;
  Tensor t = ws.take_zeros({4, 4});
  for (int64_t i = 0; i < t.numel(); ++i) EXPECT_EQ(t.data[i], 0.0f);
}

}  // namespace
}  // namespace tfm
