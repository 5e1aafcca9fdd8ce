// The cost of summing a float buffer over the ranks of an MPI job, by size: what a
// data-parallel step pays for its gradients when nothing hides it. Run under mpirun:
//   mpirun -np 2 build/bench/tfm_allreduce_cost [--max-mb 256]
// Prints, on rank 0, a markdown table (median of repeated in-place MPI_Allreduce calls, the
// slowest rank's time) and the fit t = latency + bytes / bandwidth.
#include <mpi.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "distributed/mpi_communicator.h"

namespace {

double median_seconds(std::vector<float>& buffer, MPI_Comm comm) {
  std::vector<double> times;
  double total = 0;
  for (int i = 0; i < 30 && (i < 5 || total < 1.0); ++i) {
    MPI_Barrier(comm);
    const double start = MPI_Wtime();
    MPI_Allreduce(MPI_IN_PLACE, buffer.data(), int(buffer.size()), MPI_FLOAT, MPI_SUM, comm);
    double elapsed = MPI_Wtime() - start;
    // The slowest rank's time is the collective's.
    MPI_Allreduce(MPI_IN_PLACE, &elapsed, 1, MPI_DOUBLE, MPI_MAX, comm);
    if (i > 0) times.push_back(elapsed);  // the first touches fresh pages
    total += elapsed;
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  double max_mb = 256;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--max-mb") == 0) max_mb = std::atof(argv[i + 1]);
  tfm::distributed::MpiSession session;
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  if (rank == 0) {
    std::printf("%d ranks\n\n| bytes | ms | algorithm GB/s | bus GB/s |\n|---:|---:|---:|---:|\n", ranks);
  }
  std::vector<double> sizes, seconds;
  for (double bytes = 4096; bytes <= max_mb * (1 << 20); bytes *= 4) {
    std::vector<float> buffer(size_t(bytes) / sizeof(float), 1.0f);
    const double t = median_seconds(buffer, MPI_COMM_WORLD);
    sizes.push_back(bytes);
    seconds.push_back(t);
    // Bus bandwidth: what each rank's link carries in a ring all-reduce, 2 (N-1)/N times the buffer.
    if (rank == 0)
      std::printf("| %.0f | %.3f | %.2f | %.2f |\n", bytes, 1e3 * t, bytes / t / 1e9,
                  bytes / t / 1e9 * 2.0 * (ranks - 1) / ranks);
  }
  // Least squares of t = a + b * bytes in relative error (weights 1 / t^2), so that the
  // small sizes, which set the latency, count as much as the large ones.
  double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    const double w = 1.0 / (seconds[i] * seconds[i]);
    sw += w;
    sx += w * sizes[i];
    sy += w * seconds[i];
    sxx += w * sizes[i] * sizes[i];
    sxy += w * sizes[i] * seconds[i];
  }
  const double b = (sw * sxy - sx * sy) / (sw * sxx - sx * sx), a = (sy - b * sx) / sw;
  if (rank == 0) std::printf("\nfit: t = %.1f us + bytes / (%.2f GB/s)\n", 1e6 * a, 1.0 / b / 1e9);
  return 0;
}
