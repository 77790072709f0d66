// srs: the command line (see man/srs.8).
//
//   srs [-c FILE]      run (foreground unless `daemon: true`)
//   srs -t [-c FILE]   check the configuration and exit
//   srs -V             version, compiler, flags and library versions
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "base/log.hpp"
#include "base/version.hpp"
#include "conf/config.hpp"
#include "master/master.hpp"
#include "master/memory_budget.hpp"
#include "master/pid_file.hpp"
#include "master/process.hpp"
#include "shm/segment.hpp"

namespace {

void usage(FILE* out) {
  std::fprintf(
      out,
      "usage: srs [-c FILE] [-t] [-V] [-h]\n"
      "  -c FILE   configuration file (default: the embedded one, a copy of etc/srs.yaml)\n"
      "  -t        check the configuration and exit (0 when valid)\n"
      "  -V        print the version, compiler, flags and library versions\n"
      "  -v        print the version\n"
      "  -h        this help\n"
      "signals: HUP reload, TERM/INT fast stop, QUIT graceful stop, USR1 reopen logs\n");
}

struct Args {
  std::string config_path;
  bool test_only = false;
};

// Returns -1 to continue, else an exit status.
int parse_args(int argc, char** argv, Args* args) {
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "-c" && i + 1 < argc) {
      args->config_path = argv[++i];
    } else if (a == "-t") {
      args->test_only = true;
    } else if (a == "-V" || a == "--version") {
      std::fputs(srs::base::build_description().c_str(), stdout);
      return 0;
    } else if (a == "-v") {
      std::printf("%s\n", srs::base::kVersion);
      return 0;
    } else if (a == "-h" || a == "--help") {
      usage(stdout);
      return 0;
    } else {
      std::fprintf(stderr, "srs: %s: %s\n", a == "-c" ? "option -c needs a file" : "unknown option",
                   a.c_str());
      usage(stderr);
      return 2;
    }
  }
  return -1;
}

srs::conf::LoadResult load(const Args& args) {
  return args.config_path.empty() ? srs::conf::load_default()
                                  : srs::conf::load_file(args.config_path);
}

// Daemon mode: check the pid file while the terminal can still show the
// error, then detach. Only the detached master writes the pid file: a reader
// never sees the pid of the process that detached.
bool go_daemon(const srs::conf::Config& config) {
  if (config.log.file.empty()) {
    std::fprintf(stderr, "srs: daemon: true needs log.file (stderr is closed in daemon mode)\n");
    return false;
  }
  std::string err;
  if (!config.pid_file.empty() && !srs::master::PidFile::available(config.pid_file, &err)) {
    std::fprintf(stderr, "srs: %s\n", err.c_str());
    return false;
  }
  if (!srs::master::daemonize(&err)) {
    std::fprintf(stderr, "srs: %s\n", err.c_str());
    return false;
  }
  return true;
}

// The configuration's shared memory against this machine's /dev/shm; prints
// the figures for -t. False (after saying why on stderr) when it cannot hold it.
bool shm_fits(const srs::conf::Config& config, bool print) {
  const srs::master::ShmBudget budget = srs::master::shm_budget(config.shm);
  if (print) {
    std::printf("srs: %s\n", srs::master::describe(budget).c_str());
    std::printf("srs: %s\n", srs::master::describe_workers(config.resolved_workers(),
                                                           config.rtmp.max_connections)
                                 .c_str());
  }
  srs::base::Result<uint64_t> fs = srs::master::filesystem_bytes(srs::shm::kShmDir);
  if (!fs.is_ok()) {
    std::fprintf(stderr, "srs: shm: %s: %s\n", srs::shm::kShmDir, fs.status().to_string().c_str());
    return false;
  }
  std::string why =
      srs::master::does_not_fit(budget, *fs, srs::shm::kShmDir, unsigned(sizeof(void*) * 8));
  if (why.empty()) return true;
  std::fprintf(stderr, "srs: %s\n", why.c_str());
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (int status = parse_args(argc, argv, &args); status >= 0) return status;
  srs::conf::LoadResult result = load(args);
  std::string name = args.config_path.empty() ? "<embedded>" : args.config_path;
  if (!result.ok()) {
    for (const auto& e : result.errors) std::fprintf(stderr, "srs: %s\n", e.to_string().c_str());
    std::fprintf(stderr, "srs: configuration %s has %zu error(s)\n", name.c_str(),
                 result.errors.size());
    return 1;
  }
  srs::conf::Config& config = *result.config;
  if (!shm_fits(config, args.test_only)) return 1;
  if (args.test_only) {
    std::printf("srs: configuration %s is valid\n", name.c_str());
    return 0;
  }
  if (srs::base::Status s = srs::base::Log::open(config.log.file, config.log.level); !s.is_ok()) {
    std::fprintf(stderr, "srs: cannot open log.file %s: %s\n", config.log.file.c_str(),
                 s.to_string().c_str());
    return 1;
  }
  if (config.daemon && !go_daemon(config)) return 1;
  srs::master::raise_fd_limit(config.rtmp.max_connections);
  srs::master::Master master(srs::master::MasterOptions{args.config_path}, std::move(config));
  return master.run();
}
