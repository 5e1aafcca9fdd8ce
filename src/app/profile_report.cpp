#include "app/profile_report.h"

#include <algorithm>
#include <cstdio>

namespace tfm::app {

std::string profile_report(const std::vector<kernels::profile::Totals>& totals, double wall_seconds, int64_t steps,
                           const std::string& step_name) {
  const double per_step = 1e3 / double(std::max<int64_t>(steps, 1));  // seconds -> ms per step
  std::string report;
  char line[160];
  std::snprintf(line, sizeof line, "%-22s %10s %10s %7s %9s\n", "kernel", ("calls/" + step_name).c_str(),
                ("ms/" + step_name).c_str(), "share", "GFLOP/s");
  report += line;
  double in_kernels = 0.0;
  for (const auto& t : totals) {
    in_kernels += t.seconds;
    char rate[16] = "";
    if (t.flops > 0) std::snprintf(rate, sizeof rate, "%9.1f", t.flops / t.seconds / 1e9);
    std::snprintf(line, sizeof line, "%-22s %10.1f %10.3f %6.1f%% %9s\n", t.name.c_str(),
                  double(t.calls) / double(std::max<int64_t>(steps, 1)), t.seconds * per_step,
                  100.0 * t.seconds / wall_seconds, rate);
    report += line;
  }
  std::snprintf(line, sizeof line, "%-22s %10s %10.3f %6.1f%%\n", "(outside kernels)", "",
                (wall_seconds - in_kernels) * per_step, 100.0 * (wall_seconds - in_kernels) / wall_seconds);
  report += line;
  std::snprintf(line, sizeof line, "%-22s %10s %10.3f %6.1f%%\n", "total", "", wall_seconds * per_step, 100.0);
  report += line;
  return report;
}

}  // namespace tfm::app
