#include "viz/ticks.h"

#include <cassert>
#include <charconv>
#include <cmath>
#include <utility>

namespace tfm::viz {

namespace {

// Guards the floor/ceil of quotients such as 0.3 / 0.1 = 2.9999999999999996.
constexpr double kSlack = 1e-9;

// multiple x 10^exponent, computed so that decimal values come out as the nearest double
// (3 / 10 is 0.3, 3 * 0.1 is not).
double times_power_of_ten(double multiple, int exponent) {
  return exponent >= 0 ? multiple * std::pow(10.0, exponent) : multiple / std::pow(10.0, -exponent);
}

std::string fixed_label(double value, int decimals) {
  if (value == 0.0) value = 0.0;  // no "-0"
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
  assert(result.ec == std::errc());
  return std::string(buffer, result.ptr);
}

std::string shortest_label(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  assert(result.ec == std::errc());
  return std::string(buffer, result.ptr);
}

}  // namespace

Ticks linear_ticks(double lo, double hi, int max_intervals) {
  assert(std::isfinite(lo) && std::isfinite(hi) && lo <= hi && max_intervals >= 1);
  if (lo == hi) {
    const double half_width = lo == 0.0 ? 1.0 : std::abs(lo) * 0.1;
    lo -= half_width;
    hi += half_width;
  }
  const double mantissas[3] = {1.0, 2.0, 5.0};
  // The smallest candidate step is below (hi - lo) / max_intervals, so the search below
  // always starts from a step that needs too many intervals.
  for (int exponent = int(std::floor(std::log10((hi - lo) / max_intervals))) - 1;; ++exponent) {
    for (double mantissa : mantissas) {
      const double step = times_power_of_ten(mantissa, exponent);
      const double first = std::floor(lo / step + kSlack);
      const double last = std::ceil(hi / step - kSlack);
      if (last - first > max_intervals) continue;
      Ticks ticks;
      for (double k = first; k <= last; ++k) {
        ticks.values.push_back(times_power_of_ten(k * mantissa, exponent));
        ticks.labels.push_back(fixed_label(ticks.values.back(), std::max(0, -exponent)));
      }
      return ticks;
    }
  }
}

Ticks log_ticks(double lo, double hi) {
  assert(std::isfinite(lo) && std::isfinite(hi) && 0.0 < lo && lo <= hi);
  if (lo == hi) lo *= 0.8, hi *= 1.25;
  const int first_decade = int(std::floor(std::log10(lo) + kSlack));
  int last_decade = int(std::ceil(std::log10(hi) - kSlack));
  const int decades = last_decade - first_decade;

  Ticks ticks;
  const auto add = [&](double multiple, int exponent) {
    ticks.values.push_back(times_power_of_ten(multiple, exponent));
    ticks.labels.push_back(shortest_label(ticks.values.back()));
  };
  if (decades <= 2) {
    // 1, 2, 5 x 10^k from 10^first_decade <= lo up to 10^last_decade >= hi; the axis runs
    // from the last of them at or below lo to the first at or above hi, so that a loss
    // between 1.9 and 10.1 gets 1 2 5 10 20, not 1 ... 100.
    std::vector<std::pair<double, int>> candidates;  // (multiple, exponent)
    for (int exponent = first_decade; exponent < last_decade; ++exponent)
      for (double multiple : {1.0, 2.0, 5.0}) candidates.emplace_back(multiple, exponent);
    candidates.emplace_back(1.0, last_decade);
    const auto value = [&](size_t i) { return times_power_of_ten(candidates[i].first, candidates[i].second); };
    size_t begin = 0, end = candidates.size() - 1;
    while (begin + 1 < candidates.size() && value(begin + 1) <= lo * (1.0 + kSlack)) ++begin;
    while (end > 0 && value(end - 1) >= hi * (1.0 - kSlack)) --end;
    for (size_t i = begin; i <= end; ++i) add(candidates[i].first, candidates[i].second);
    return ticks;
  }
  constexpr int kMaxIntervals = 6;
  const int decade_stride = (decades + kMaxIntervals - 1) / kMaxIntervals;
  // With a stride the axis must still end on a drawn power: round the top end up to it.
  last_decade = first_decade + (decades + decade_stride - 1) / decade_stride * decade_stride;
  for (int exponent = first_decade; exponent <= last_decade; exponent += decade_stride) add(1.0, exponent);
  return ticks;
}

}  // namespace tfm::viz
