// The C++ reference for the engine benchmark (bench/engine.bench.ts compiles it with g++ -O2):
// a hold model on a std::priority_queue of (time, sequence) pairs, the ordering the simulator's
// queue keeps (time, then insertion order).
//
// Usage: holdModel <increments file> <pending> <steps> <min iterations> <min milliseconds>
//
// The increments file holds little-endian int64 microsecond increments, a power-of-two count,
// written by the benchmark from the same seeded stream the JavaScript contenders use, so every
// contender processes exactly the same events. The queue is filled with `pending` events, then
// each iteration runs `steps` hold steps (pop the earliest, push it again at its time plus the
// next increment). After two warm-up iterations, iterations run until both the minimum count
// and the minimum time are reached, timed by process CPU time like the JavaScript side.
// Prints one line: "<mean nanoseconds per iteration> <iterations> <time of the last event>".
// With <steps> = 0 and <min iterations> = k it instead runs k hold steps untimed and prints the
// time of the last event, for the agreement check.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <queue>
#include <utility>
#include <vector>

using Entry = std::pair<int64_t, uint64_t>;
using Queue = std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>>;

static double cpuNanoseconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s increments pending steps minIterations minMilliseconds\n",
                 argv[0]);
    return 2;
  }
  std::FILE* file = std::fopen(argv[1], "rb");
  if (file == nullptr) {
    std::perror(argv[1]);
    return 2;
  }
  std::vector<int64_t> increments;
  int64_t value;
  while (std::fread(&value, sizeof value, 1, file) == 1) increments.push_back(value);
  std::fclose(file);
  const size_t mask = increments.size() - 1;
  if (increments.empty() || (increments.size() & mask) != 0) {
    std::fprintf(stderr, "%s: the increment count must be a power of two\n", argv[1]);
    return 2;
  }
  const long pending = std::atol(argv[2]);
  const long steps = std::atol(argv[3]);
  const long minIterations = std::atol(argv[4]);
  const double minNanoseconds = std::atof(argv[5]) * 1e6;

  Queue queue;
  uint64_t sequence = 0;
  size_t k = 0;
  for (long i = 0; i < pending; i++) queue.push(Entry(increments[k++ & mask], sequence++));
  int64_t last = 0;
  auto hold = [&](long count) {
    for (long s = 0; s < count; s++) {
      const int64_t now = queue.top().first;
      queue.pop();
      queue.push(Entry(now + increments[k++ & mask], sequence++));
      last = now;
    }
  };

  if (steps == 0) {
    hold(minIterations);
    std::printf("%lld\n", static_cast<long long>(last));
    return 0;
  }
  hold(2 * steps);
  long iterations = 0;
  const double start = cpuNanoseconds();
  double elapsed = 0;
  while (iterations < minIterations || elapsed < minNanoseconds) {
    hold(steps);
    iterations++;
    elapsed = cpuNanoseconds() - start;
  }
  std::printf("%.0f %ld %lld\n", elapsed / static_cast<double>(iterations), iterations,
              static_cast<long long>(last));
  return 0;
}
