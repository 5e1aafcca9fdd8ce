#include "kernels/profile.h"

#include <algorithm>
#include <atomic>
#include <mutex>

namespace tfm::kernels::profile {

namespace {

std::atomic<bool> profiling{false};
std::mutex mutex;
std::vector<Totals> table;  // few names: a linear search is fine

}  // namespace

void set_enabled(bool on) { profiling.store(on, std::memory_order_relaxed); }

bool enabled() { return profiling.load(std::memory_order_relaxed); }

void record(const char* name, double seconds, double flops) {
  const std::lock_guard<std::mutex> lock(mutex);
  auto it = std::find_if(table.begin(), table.end(), [&](const Totals& t) { return t.name == name; });
  if (it == table.end()) it = table.insert(table.end(), Totals{name});
  ++it->calls;
  it->seconds += seconds;
  it->flops += flops;
}

std::vector<Totals> totals() {
  const std::lock_guard<std::mutex> lock(mutex);
  std::vector<Totals> sorted = table;
  std::sort(sorted.begin(), sorted.end(), [](const Totals& a, const Totals& b) { return a.seconds > b.seconds; });
  return sorted;
}

void clear() {
  const std::lock_guard<std::mutex> lock(mutex);
  table.clear();
}

}  // namespace tfm::kernels::profile
