#pragma once
// The kernel profile (kernels/profile.h) as a table for `tfm bench --profile` and
// `tfm translate --profile`: time per step by kernel, its share of the wall time, and the
// matrix products' achieved GFLOP/s; what no kernel accounts for is the last row.
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/profile.h"

namespace tfm::app {

std::string profile_report(const std::vector<kernels::profile::Totals>& totals, double wall_seconds, int64_t steps,
                           const std::string& step_name);

}  // namespace tfm::app
