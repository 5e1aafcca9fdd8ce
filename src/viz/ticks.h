#pragma once
// Axis ticks a reader can count in their head: 1-2-5 steps on linear axes, decades (and
// 2 and 5 within them when few) on logarithmic ones. The first and last tick are the axis
// ends, so data never falls outside them.
#include <string>
#include <vector>

namespace tfm::viz {

struct Ticks {
  std::vector<double> values;       // ascending; front() and back() are the axis ends
  std::vector<std::string> labels;  // one per value, locale-independent
};

// Multiples of step = {1, 2, 5} x 10^k from the last one at or below lo to the first one at
// or above hi, for the smallest such step that needs at most max_intervals intervals.
// Labels have as many decimals as the step. lo == hi is widened around the value.
// [0, 7.3] -> 0 2 4 6 8; [0, 1] -> 0 0.2 ... 1.
Ticks linear_ticks(double lo, double hi, int max_intervals = 5);

// Over at most two decades: the values 1, 2 and 5 x 10^k from the last one at or below lo
// to the first one at or above hi ([1.9, 10.1] -> 1 2 5 10 20). Over more: powers of ten
// from the one at or below lo to the one at or above hi, only every n-th one when needed to
// keep at most six intervals. lo == hi is widened around the value. Requires 0 < lo <= hi.
Ticks log_ticks(double lo, double hi);

}  // namespace tfm::viz
