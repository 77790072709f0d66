// srs-bench: RTMP / HTTP-FLV / raw TCP load generator with end-to-end latency.
// Usage and options: options.cpp (`srs-bench --help`). Exit status: 0 when
// every --expect-* assertion passed, 1 when one failed, 2 on usage errors.
#include <sys/resource.h>

#include <cstdio>
#include <fstream>

#include "tools/srs-bench/bench.hpp"
#include "tools/srs-bench/options.hpp"
#include "tools/srs-bench/report.hpp"

int main(int argc, char** argv) {
  using namespace srs::tools::srs_bench;
  Options options;
  bool help = false;
  if (auto err = parse_options(argc, argv, &options, &help)) {
    std::fprintf(stderr, "srs-bench: %s\n", err->c_str());
    return 2;
  }
  if (help) {
    std::fputs(usage(), stdout);
    return 0;
  }
  // Thousands of clients need thousands of fds: raise the soft limit to the hard one.
  rlimit nofile{};
  if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
    nofile.rlim_cur = nofile.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &nofile);
  }
  Bench bench(options);
  if (auto st = bench.setup(); !st.is_ok()) {
    std::fprintf(stderr, "srs-bench: %s\n", st.to_string().c_str());
    return 2;
  }
  Summary summary = bench.run();
  std::fputs(to_text(summary).c_str(), stdout);
  if (!options.json_file.empty()) {
    std::ofstream out(options.json_file);
    out << to_json(summary, options.per_client);
    if (!out) std::fprintf(stderr, "srs-bench: cannot write %s\n", options.json_file.c_str());
  }
  auto failures = check(summary, options);
  for (const auto& f : failures) std::fprintf(stderr, "srs-bench: FAILED: %s\n", f.c_str());
  return failures.empty() ? 0 : 1;
}
