// The master's supervision loop (see master.hpp).
#include "master/master.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <string_view>

#include "base/clock.hpp"
#include "base/log.hpp"
#include "base/version.hpp"
#include "master/systemd.hpp"
#include "worker/worker.hpp"

namespace srs::master {
namespace {

constexpr int64_t kReadyTimeoutMs = 10000;  // a new generation must report ready by then
constexpr int64_t kKillAfterMs = 5000;      // fast stop: SIGKILL what SIGTERM did not end

volatile sig_atomic_t g_reap = 0, g_reload = 0, g_terminate = 0, g_quit = 0, g_reopen = 0;

void on_signal(int signo) {
  switch (signo) {
    case SIGCHLD:
      g_reap = 1;
      break;
    case SIGHUP:
      g_reload = 1;
      break;
    case SIGTERM:
    case SIGINT:
      g_terminate = 1;
      break;
    case SIGQUIT:
      g_quit = 1;
      break;
    case SIGUSR1:
      g_reopen = 1;
      break;
    default:
      break;
  }
}

const int kSignals[] = {SIGCHLD, SIGHUP, SIGTERM, SIGINT, SIGQUIT, SIGUSR1};

void install_signal_handlers(sigset_t* wait_mask) {
  sigset_t block;
  sigemptyset(&block);
  for (int s : kSignals) sigaddset(&block, s);
  sigprocmask(SIG_BLOCK, &block, wait_mask);  // wait_mask: the mask to use while waiting
  for (int s : kSignals) sigdelset(wait_mask, s);
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int s : kSignals) sigaction(s, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

std::string generated_server_id() {
  return std::string("vid-") + std::string(base::new_context_id().c_str()).substr(0, 7);
}

bool make_pipe(base::Fd* read_end, base::Fd* write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return false;
  read_end->reset(fds[0]);
  write_end->reset(fds[1]);
  return true;
}

std::vector<worker::ListenerFd> listener_fds(const ListenerSet& set) {
  std::vector<worker::ListenerFd> out;
  for (const Listener& l : set.listeners()) out.push_back({l.fd.get(), l.services, l.address});
  return out;
}

}  // namespace

Master::Master(MasterOptions options, conf::Config config) : options_(std::move(options)) {
  current_.config = std::make_shared<const conf::Config>(std::move(config));
}

Master::~Master() = default;

bool Master::prepare_generation(const std::string& source, Generation* gen,
                                std::string* error_text) {
  std::vector<std::string> errors;
  std::string err;
  if (!resolve_credentials(gen->config->user, &gen->creds, &err)) errors.push_back(err);
  auto set = std::make_shared<ListenerSet>();
  ListenerSet* previous = current_.listeners.get();
  if (errors.empty()) (void)set->open(*gen->config, previous, &errors);
  if (!errors.empty()) {
    for (const std::string& e : errors) {
      LOG_ERROR("%s: %s", source.c_str(), e.c_str());
      if (error_text) *error_text += source + ": " + e + "\n";
    }
    if (previous) previous->take_back(set.get());
    return false;
  }
  gen->listeners = std::move(set);
  return true;
}

bool Master::start() {
  server_id_ =
      current_.config->server_id.empty() ? generated_server_id() : current_.config->server_id;
  if (!make_pipe(&events_read_, &events_write_) || !make_pipe(&watch_read_, &watch_write_)) {
    LOG_ERROR("pipe2() failed (%s) while starting the master", std::strerror(errno));
    return false;
  }
  shm::ControlSizes sizes{current_.config->shm.max_streams, current_.config->shm.max_clients};
  base::Result<shm::Control> control = shm::Control::create(sizes);
  if (!control.is_ok()) {
    LOG_ERROR("creating the shared control region (%u streams, %u clients) failed: %s",
              sizes.max_streams, sizes.max_clients, control.status().to_string().c_str());
    return false;
  }
  control_.emplace(std::move(*control));
  base::Result<shm::Wakeups> wakeups = shm::Wakeups::create();
  if (!wakeups.is_ok()) {
    LOG_ERROR("creating the worker wake-up eventfds failed: %s",
              wakeups.status().to_string().c_str());
    return false;
  }
  wakeups_ = std::move(*wakeups);
  current_.id = next_generation_++;
  if (!prepare_generation(current_.config->source, &current_, nullptr)) return false;
  control_->master_status().set_generation(current_.id);
  LOG_INFO("listening: %s", current_.listeners->describe().c_str());
  int workers = current_.config->resolved_workers();
  std::vector<int> slots = table_.take_free(workers);
  for (int slot : slots) spawn(slot, current_);
  current_.ready_deadline_ms = base::mono_ms() + kReadyTimeoutMs;
  // The listeners are bound: a child that connects now waits in the backlog.
  room_.emplace(&children_, &*control_);
  room_->configure(current_.config, current_.creds, base::mono_ms());
  return true;
}

void Master::spawn(int slot, const Generation& gen) {
  uint32_t now_wall = uint32_t(base::wall_ms() / 1000);
  if (base::Result<uint32_t> r = control_->workers().reserve(uint32_t(slot), now_wall, gen.id);
      !r.is_ok()) {
    LOG_ERROR("worker slot %d: the shared slot is still in use (%s)", slot,
              r.status().to_string().c_str());
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    LOG_ERROR("fork() failed (%s) while starting worker slot %d; retrying later",
              std::strerror(errno), slot);
    table_.mark_started(slot, 0, gen.id, base::mono_ms());
    (void)table_.schedule_respawn(slot, base::mono_ms());
    return;
  }
  if (pid == 0) child_main(slot, gen);  // never returns
  table_.mark_started(slot, pid, gen.id, base::mono_ms());
  control_->workers().set_pid(uint32_t(slot), uint32_t(pid));
  LOG_INFO("worker slot %d generation %u: started pid %d", slot, gen.id, int(pid));
}

void Master::child_main(int slot, const Generation& gen) {
  // Back to default dispositions and an empty mask before anything else.
  for (int s : kSignals) ::signal(s, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);

  worker::WorkerContext ctx;
  ctx.slot = slot;
  ctx.generation = gen.id;
  ctx.config = gen.config.get();
  ctx.listeners = listener_fds(*gen.listeners);
  ctx.events_fd = events_write_.get();
  ctx.master_watch_fd = watch_read_.get();
  ctx.server_id = server_id_;
  ctx.control = &*control_;
  ctx.wakeups = &wakeups_;

  std::vector<int> keep = {ctx.events_fd, ctx.master_watch_fd, base::Log::fd()};
  for (uint32_t i = 0; i < uint32_t(kMaxWorkerSlots); i++) keep.push_back(wakeups_.fd(i));
  for (const auto& l : ctx.listeners) keep.push_back(l.fd);
  close_fds_except(keep);
  base::Log::init_process("worker");
  std::string err;
  if (!drop_privileges(gen.creds, &err)) {
    LOG_ERROR("worker slot %d: %s while dropping privileges to '%s'", slot, err.c_str(),
              gen.creds.user.c_str());
    ::_exit(2);
  }
  ::_exit(worker::run(ctx));
}

int Master::run() {
  base::Log::init_process("master");
  sigset_t wait_mask;
  install_signal_handlers(&wait_mask);
  if (!current_.config->pid_file.empty()) {
    std::string err;
    if (!pid_file_.acquire(current_.config->pid_file, &err)) {
      LOG_ERROR("%s; not starting", err.c_str());
      return 1;
    }
  }
  LOG_INFO("%s master starting, pid %d, configuration %s, %d workers",
           base::server_signature().c_str(), int(::getpid()), current_.config->source.c_str(),
           current_.config->resolved_workers());
  if (!start()) {
    pid_file_.remove();
    return 1;
  }
  for (;;) {
    int64_t now = base::mono_ms();
    int64_t timeout = next_timeout_ms(now);
    timespec ts{time_t(timeout / 1000), long((timeout % 1000) * 1000000)};
    std::vector<int> fds{events_read_.get()};
    children_.output_fds(&fds);
    std::vector<pollfd> pfds;
    for (int fd : fds) pfds.push_back({fd, POLLIN, 0});
    ::ppoll(pfds.data(), pfds.size(), timeout >= 0 ? &ts : nullptr, &wait_mask);
    children_.drain_output();
    loop();
    if (stop_ != Stop::kNone && table_.live_count() == 0 && children_.live_count() == 0) break;
  }
  if (control_) {
    int removed = shm::remove_instance_segments(control_->instance());
    if (removed > 0) LOG_INFO("removed %d stream ring segments", removed);
  }
  LOG_INFO("all workers and children stopped; master exits");
  sd_notify("STOPPING=1");
  pid_file_.remove();
  return 0;
}

void Master::loop() {
  // Stops before reaps: when a terminal's Ctrl-C reaches the whole process
  // group, the workers' exits are part of the stop, not crashes to respawn.
  take_stop_requests();
  if (g_reap) {
    g_reap = 0;
    reap_children();
  }
  read_worker_events();
  if (g_reload) {
    g_reload = 0;
    if (stop_ == Stop::kNone) reload();
  }
  if (g_reopen) {
    g_reopen = 0;
    reopen_logs();
  }
  run_timers(base::mono_ms());
}

// SIGTERM or SIGINT (fast stop) and SIGQUIT (graceful stop): those the
// handler flagged during the wait, and those that arrived since, which the
// kernel holds (blocked outside ppoll) until the next wait. Those are
// delivered then and find the stop begun; beginning it twice does nothing.
void Master::take_stop_requests() {
  sigset_t pending;
  sigemptyset(&pending);
  ::sigpending(&pending);
  if (g_terminate || sigismember(&pending, SIGTERM) || sigismember(&pending, SIGINT)) {
    g_terminate = 0;
    begin_fast_stop();
  }
  if (g_quit || sigismember(&pending, SIGQUIT)) {
    g_quit = 0;
    begin_graceful_stop();
  }
}

int64_t Master::next_timeout_ms(int64_t now) const {
  int64_t next = -1;
  auto consider = [&](int64_t at) {
    if (at <= 0) return;
    int64_t d = at > now ? at - now : 0;
    if (next < 0 || d < next) next = d;
  };
  consider(table_.next_respawn_ms());
  consider(children_.next_timer_ms());
  if (room_) consider(room_->next_tick_ms());
  if (pending_) consider(pending_->ready_deadline_ms);
  if (!current_.announced_ready) consider(current_.ready_deadline_ms);
  for (const auto& [gen, deadline] : drain_deadlines_) consider(deadline);
  consider(kill_deadline_ms_);
  consider(next_sweep_ms_);
  return next;
}

void Master::reap_children() {
  for (;;) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    // The exit may be newer than the loop's look at the stop signals: a
    // SIGINT sent to the whole group before it is pending now, and makes
    // this exit part of the stop.
    take_stop_requests();
    if (table_.find_pid(pid) >= 0) {
      on_worker_exit(pid, status);
    } else if (!children_.on_exit(pid, status, base::mono_ms())) {
      LOG_DEBUG("reaped pid %d, neither a worker nor a child (%s)", int(pid),
                describe_exit(status).c_str());
    }
  }
}

bool Master::respawnable(uint32_t generation) const {
  if (stop_ != Stop::kNone) return false;
  return generation == current_.id || (pending_ && generation == pending_->id);
}

const Master::Generation* Master::generation_of(uint32_t id) const {
  if (id == current_.id) return &current_;
  if (pending_ && id == pending_->id) return &*pending_;
  return nullptr;
}

void Master::on_worker_exit(pid_t pid, int status) {
  int slot = table_.find_pid(pid);
  if (slot < 0) return;
  WorkerSlot& s = table_.at(slot);
  uint32_t gen = s.generation;
  bool draining = s.state == SlotState::kDraining;
  std::string how = describe_exit(status);
  reclaim(slot, pid);
  if (!respawnable(gen) || draining) {
    table_.release(slot);
    control_->workers().release(uint32_t(slot));
    LOG_INFO("worker slot %d generation %u pid %d %s", slot, gen, int(pid), how.c_str());
    if (table_.of_generation(gen).empty() && gen != current_.id) {
      drain_deadlines_.erase(gen);
      LOG_INFO("generation %u has fully drained", gen);
    }
    return;
  }
  int64_t delay = table_.schedule_respawn(slot, base::mono_ms());
  const WorkerSlot& w = table_.at(slot);
  if (w.history.quick_exits > 1) {
    LOG_ERROR(
        "worker slot %d generation %u pid %d %s; crash loop (%d quick exits in a row): "
        "respawning in %lld ms",
        slot, gen, int(pid), how.c_str(), w.history.quick_exits, (long long)delay);
  } else {
    LOG_WARN("worker slot %d generation %u pid %d %s; respawning in %lld ms", slot, gen, int(pid),
             how.c_str(), (long long)delay);
  }
}

void Master::read_worker_events() {
  char buf[1024];
  for (;;) {
    ssize_t n = ::read(events_read_.get(), buf, sizeof buf);
    if (n <= 0) break;
    partial_line_.append(buf, size_t(n));
  }
  size_t pos;
  while ((pos = partial_line_.find('\n')) != std::string::npos) {
    std::string line = partial_line_.substr(0, pos);
    partial_line_.erase(0, pos + 1);
    int slot = -1, pid = 0;
    unsigned gen = 0;
    if (std::sscanf(line.c_str(), "ready %d %d %u", &slot, &pid, &gen) == 3 && slot >= 0 &&
        slot < kMaxWorkerSlots) {
      on_worker_ready(slot, pid_t(pid));
    }
  }
  check_generation_ready();
}

void Master::on_worker_ready(int slot, pid_t pid) {
  WorkerSlot& s = table_.at(slot);
  if (s.pid != pid || s.state != SlotState::kStarting) return;
  s.state = SlotState::kReady;
  LOG_INFO("worker slot %d generation %u pid %d ready", slot, s.generation, int(pid));
}

void Master::check_generation_ready() {
  int want = current_.config->resolved_workers();
  if (!current_.announced_ready && table_.count(current_.id, SlotState::kReady) >= want) {
    current_.announced_ready = true;
    LOG_INFO("generation %u ready: %d workers serving", current_.id, want);
    sd_notify("READY=1\nMAINPID=" + std::to_string(::getpid()) + "\nSTATUS=serving, generation " +
              std::to_string(current_.id));
  }
  if (pending_ &&
      table_.count(pending_->id, SlotState::kReady) >= pending_->config->resolved_workers()) {
    commit_reload();
  }
}

void Master::reload() {
  sd_notify_reloading();
  if (pending_) {
    LOG_WARN("reload ignored: generation %u is still starting", pending_->id);
    return;
  }
  std::string source = options_.config_path.empty() ? "<embedded>" : options_.config_path;
  uint32_t seq = control_->master_status().begin_reload(uint32_t(base::wall_ms() / 1000));
  LOG_INFO("reload %u: reading the configuration from %s", seq, source.c_str());
  conf::LoadResult result =
      options_.config_path.empty() ? conf::load_default() : conf::load_file(options_.config_path);
  std::vector<conf::ConfigError> errors = result.errors;
  if (result.ok()) conf::check_reload(*current_.config, *result.config, &errors);
  if (!errors.empty()) {
    std::string text;
    for (const auto& e : errors) {
      LOG_ERROR("reload rejected: %s", e.to_string().c_str());
      text += e.to_string() + "\n";
    }
    LOG_ERROR(
        "reload failed with %zu error(s); generation %u keeps running on the old "
        "configuration",
        errors.size(), current_.id);
    reload_failed(text);
    return;
  }
  Generation gen;
  gen.config = std::make_shared<const conf::Config>(std::move(*result.config));
  int want = gen.config->resolved_workers();
  std::vector<int> slots = table_.take_free(want);
  if (int(slots.size()) < want) {
    LOG_ERROR(
        "reload failed: %d free worker slots needed, fewer left (old generations still "
        "draining; see drain_timeout); generation %u keeps running",
        want, current_.id);
    reload_failed(std::to_string(want) +
                  " free worker slots needed, fewer left (old "
                  "generations still draining; see drain_timeout)");
    return;
  }
  std::string error_text;
  if (!use_log_of(*gen.config, &error_text)) {
    LOG_ERROR("reload failed: %s; generation %u keeps running", error_text.c_str(), current_.id);
    reload_failed(error_text);
    return;
  }
  if (!prepare_generation(source, &gen, &error_text)) {
    (void)use_log_of(*current_.config, nullptr);
    LOG_ERROR("reload failed; generation %u keeps running on the old configuration", current_.id);
    reload_failed(error_text);
    return;
  }
  gen.id = next_generation_++;
  gen.ready_deadline_ms = base::mono_ms() + kReadyTimeoutMs;
  pending_ = std::move(gen);
  control_->master_status().set_pending(pending_->id);
  LOG_INFO("generation %u starting %d workers; listening: %s", pending_->id, want,
           pending_->listeners->describe().c_str());
  for (int slot : slots) spawn(slot, *pending_);
}

void Master::commit_reload() {
  uint32_t old_id = current_.id;
  Generation old = std::move(current_);
  current_ = std::move(*pending_);
  current_.announced_ready = true;
  pending_.reset();
  drain_generation(old_id);
  // Sockets only the old configuration had: the old workers closed their copies
  // on SIGQUIT (they stop accepting), the master closes its own now.
  if (old.listeners && old.listeners->holds_sockets()) {
    LOG_INFO("closing listeners no longer configured: %s", old.listeners->describe().c_str());
  }
  old.listeners.reset();
  LOG_INFO("reload done: generation %u serving, generation %u draining", current_.id, old_id);
  if (room_) room_->configure(current_.config, current_.creds, base::mono_ms());
  control_->master_status().succeed(current_.id, uint32_t(base::wall_ms() / 1000));
  sd_notify("READY=1\nSTATUS=serving, generation " + std::to_string(current_.id));
}

void Master::rollback_reload(const char* why) {
  uint32_t id = pending_->id;
  LOG_ERROR("reload failed: generation %u %s; stopping it, generation %u keeps running", id, why,
            current_.id);
  current_.listeners->take_back(pending_->listeners.get());
  (void)use_log_of(*current_.config, nullptr);
  Generation gen = std::move(*pending_);
  pending_.reset();
  for (int slot : table_.of_generation(id)) {
    WorkerSlot& s = table_.at(slot);
    if (s.pid > 0) ::kill(s.pid, SIGKILL);
    if (s.state == SlotState::kWaiting) s = WorkerSlot{};
  }
  reload_failed("generation " + std::to_string(id) + " " + why + "; generation " +
                std::to_string(current_.id) + " keeps running");
}

// The log settings of `config` (level and file) in the master, and so in
// every worker it forks from now on: a worker inherits the level and the open
// file. Running workers keep theirs (the old generation drains with them).
// Nothing changes when they are the ones in use.
bool Master::use_log_of(const conf::Config& config, std::string* error) {
  const conf::LogConfig& next = config.log;
  if (next.level == base::Log::level() && next.file == base::Log::path()) return true;
  // Said where the log is now, so that a reader of this file knows where it went.
  LOG_INFO("log: moving to level %s, %s", base::log_level_name(next.level),
           next.file.empty() ? "stderr" : ("file " + next.file).c_str());
  if (base::Status s = base::Log::open(next.file, next.level); !s.is_ok()) {
    std::string text = "cannot open log.file " + next.file + ": " + s.to_string();
    if (error)
      *error = text;
    else
      LOG_ERROR("%s; the log stays here", text.c_str());
    return false;
  }
  return true;
}

// The verdict for srs-ctl and the API (shm/master_status.hpp), and for systemd.
void Master::reload_failed(const std::string& text) {
  std::string_view trimmed = text;
  while (!trimmed.empty() && trimmed.back() == '\n') trimmed.remove_suffix(1);
  control_->master_status().fail(trimmed, uint32_t(base::wall_ms() / 1000));
  sd_notify("READY=1\nSTATUS=reload failed, generation " + std::to_string(current_.id));
}

void Master::drain_generation(uint32_t id) {
  int64_t timeout = current_.config->drain_timeout.count();
  drain_deadlines_[id] = timeout > 0 ? base::mono_ms() + timeout : 0;
  for (int slot : table_.of_generation(id)) {
    WorkerSlot& s = table_.at(slot);
    if (s.state == SlotState::kWaiting) {
      s = WorkerSlot{};  // a dead worker of a draining generation is not restarted
      continue;
    }
    s.state = SlotState::kDraining;
    if (s.pid > 0) ::kill(s.pid, SIGQUIT);
  }
  if (table_.of_generation(id).empty()) drain_deadlines_.erase(id);
}

void Master::signal_all(int signo) {
  for (int i = 0; i < kMaxWorkerSlots; i++) {
    const WorkerSlot& s = table_.at(i);
    if (s.pid > 0 && s.state != SlotState::kFree && s.state != SlotState::kWaiting)
      ::kill(s.pid, signo);
  }
}

void Master::begin_fast_stop() {
  if (stop_ == Stop::kFast) return;
  LOG_INFO("fast stop: SIGTERM to %d workers and %d children", table_.live_count(),
           children_.live_count());
  sd_notify("STOPPING=1");
  stop_ = Stop::kFast;
  signal_all(SIGTERM);
  stop_children();  // the supervisor sends SIGKILL after its own grace
  kill_deadline_ms_ = base::mono_ms() + kKillAfterMs;
  for (int i = 0; i < kMaxWorkerSlots; i++) {
    if (table_.at(i).state == SlotState::kWaiting) table_.at(i) = WorkerSlot{};
  }
}

void Master::begin_graceful_stop() {
  if (stop_ != Stop::kNone) return;
  LOG_INFO("graceful stop: %d workers drain their connections, %d children stop",
           table_.live_count(), children_.live_count());
  sd_notify("STOPPING=1");
  stop_ = Stop::kGraceful;
  // Children first: an ingest or a transcode is a client of the workers, and
  // would hold their drain until drain_timeout.
  stop_children();
  if (pending_) rollback_reload("was cancelled by the stop");
  for (int i = 0; i < kMaxWorkerSlots; i++) {
    WorkerSlot& s = table_.at(i);
    if (s.state == SlotState::kWaiting) s = WorkerSlot{};
    if (s.pid > 0) {
      s.state = SlotState::kDraining;
      ::kill(s.pid, SIGQUIT);
    }
  }
  int64_t timeout = current_.config->drain_timeout.count();
  if (timeout > 0) kill_deadline_ms_ = base::mono_ms() + timeout;
  current_.listeners->close_all();
}

void Master::stop_children() {
  if (room_) {
    room_->stop(base::mono_ms());
  } else {
    children_.stop_all(base::mono_ms());
  }
}

void Master::reopen_logs() {
  if (base::Status s = base::Log::reopen(); !s.is_ok()) {
    LOG_ERROR("reopening the log failed: %s", s.to_string().c_str());
  }
  children_.reopen_logs();
  LOG_INFO("log reopened; telling the workers");
  signal_all(SIGUSR1);
}

// After a worker died: free what it held in shared memory, so that its
// clients disappear from the API and its streams wait for a republish.
void Master::reclaim(int slot, pid_t pid) {
  uint32_t now_mono = uint32_t(base::mono_ms() / 1000);
  base::Result<shm::ReclaimReport> r =
      control_->reclaim_worker(uint32_t(slot), uint32_t(pid), now_mono);
  if (!r.is_ok()) return;
  if (r->clients_freed || r->links_freed || r->streams_lost || r->claims_retracted) {
    // Expected during a stop (a worker ended with its clients); news otherwise.
    base::LogLevel level = stop_ != Stop::kNone ? base::LogLevel::kInfo : base::LogLevel::kWarn;
    SRS_LOG(level,
            "worker slot %d pid %d: reclaimed %u clients and %u links; %u streams now wait for a "
            "republish",
            slot, int(pid), r->clients_freed, r->links_freed, r->streams_lost);
  }
  wakeups_.wake_mask(~0ull);  // players elsewhere notice at once
}

// Once a second: streams whose republish grace period ran out end, and
// their rings go back to the system.
void Master::sweep(int64_t now) {
  if (now < next_sweep_ms_) return;
  next_sweep_ms_ = now + 1000;
  uint32_t grace_s = uint32_t(current_.config->rtmp.republish_grace.count() / 1000);
  shm::SweepReport r = control_->sweep(uint32_t(now / 1000), grace_s);
  if (r.streams_ended || r.segments_unlinked || r.owners_repaired || r.clients_freed ||
      r.links_freed) {
    LOG_INFO(
        "sweep: %u streams ended after the republish grace period, %u rings freed, %u owners "
        "repaired, %u clients and %u links freed",
        r.streams_ended, r.segments_unlinked, r.owners_repaired, r.clients_freed, r.links_freed);
    wakeups_.wake_mask(~0ull);
  }
}

void Master::run_timers(int64_t now) {
  sweep(now);
  children_.run_timers(now);
  if (room_) {
    room_->tick(now);
    room_->publish(now);
  }
  for (int i = 0; i < kMaxWorkerSlots; i++) {
    WorkerSlot& s = table_.at(i);
    if (s.state != SlotState::kWaiting || s.respawn_at_ms > now) continue;
    const Generation* gen = generation_of(s.generation);
    if (!gen || stop_ != Stop::kNone) {
      s = WorkerSlot{};
      continue;
    }
    spawn(i, *gen);
  }
  if (pending_ && now >= pending_->ready_deadline_ms)
    rollback_reload("did not become ready in time");
  if (!current_.announced_ready && now >= current_.ready_deadline_ms &&
      current_.ready_deadline_ms > 0) {
    LOG_WARN("generation %u: not every worker reported ready within %lld ms", current_.id,
             (long long)kReadyTimeoutMs);
    current_.ready_deadline_ms = 0;
  }
  for (auto it = drain_deadlines_.begin(); it != drain_deadlines_.end();) {
    if (it->second > 0 && now >= it->second) {
      LOG_WARN("generation %u: drain_timeout expired, closing its remaining connections",
               it->first);
      signal_generation(it->first, SIGTERM);
      it = drain_deadlines_.erase(it);
    } else {
      ++it;
    }
  }
  if (kill_deadline_ms_ > 0 && now >= kill_deadline_ms_) {
    kill_deadline_ms_ = 0;
    if (stop_ == Stop::kGraceful) {
      LOG_WARN("graceful stop: drain_timeout expired, SIGTERM to %d workers", table_.live_count());
      signal_all(SIGTERM);
      kill_deadline_ms_ = now + kKillAfterMs;
      stop_ = Stop::kFast;
    } else {
      LOG_WARN("fast stop: SIGKILL to %d workers still running", table_.live_count());
      signal_all(SIGKILL);
    }
  }
}

void Master::signal_generation(uint32_t id, int signo) {
  for (int slot : table_.of_generation(id)) {
    const WorkerSlot& s = table_.at(slot);
    if (s.pid > 0) ::kill(s.pid, signo);
  }
}

}  // namespace srs::master
