#pragma once
// Where the time goes, by kernel. Each kernel opens a profile::Scope named after itself;
// while profiling is on (`tfm bench --profile`, `tfm translate --profile`) the scope adds
// its wall time, and for matrix products their floating-point operations, to that name's
// totals. Off, a scope costs one well-predicted branch.
//
// Scopes are opened on the calling thread, outside the kernels' parallel regions, and do
// not nest: the totals add up to the time spent in kernels, and the rest of a step is
// everything between them.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace tfm::kernels::profile {

void set_enabled(bool on);
bool enabled();

struct Totals {
  std::string name;
  int64_t calls = 0;
  double seconds = 0.0;
  double flops = 0.0;  // matrix products only
};
// Every name seen since the last clear(), the most time first.
std::vector<Totals> totals();
void clear();

void record(const char* name, double seconds, double flops);

class Scope {
 public:
  // A null name times nothing.
  explicit Scope(const char* name, double flops = 0.0)
      : name_(name && enabled() ? name : nullptr), flops_(flops) {
    if (name_) start_ = std::chrono::steady_clock::now();
  }
  ~Scope() {
    if (name_) record(name_, std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(), flops_);
  }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  const char* name_;
  double flops_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace tfm::kernels::profile
