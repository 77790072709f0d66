// The system routes of the HTTP API (see api_system.hpp). Field names are
// SRS's (research/srs.md 1.13), typos included ("ilde_time").
#include "worker/api/api_system.hpp"

#include <sys/resource.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdio>

#include "base/clock.hpp"
#include "base/json_writer.hpp"
#include "base/version.hpp"
#include "shm/segment.hpp"
#include "worker/core/services.hpp"

namespace srs::worker {
namespace {

using base::JsonWriter;

// A small text file of /proc, parsed by `parse` into `out`.
template <typename T, typename Parse>
bool read_parsed(const char* path, T* out, Parse parse) {
  char buf[8192];
  return parse(read_proc(path, buf, sizeof buf), out);
}

// The master's command line, arguments separated by spaces.
std::string command_line(uint32_t pid) {
  char path[48], buf[2048];
  std::snprintf(path, sizeof path, "/proc/%u/cmdline", pid);
  std::string text(read_proc(path, buf, sizeof buf));
  while (!text.empty() && text.back() == '\0') text.pop_back();
  for (char& c : text) c = c == '\0' ? ' ' : c;
  return text;
}

std::string current_dir() {
  char buf[4096];
  return ::getcwd(buf, sizeof buf) ? std::string(buf) : std::string();
}

double seconds_of(const timeval& tv) {
  return double(tv.tv_sec) + double(tv.tv_usec) / 1e6;
}

std::string data(JsonWriter& w) {
  w.end_object();
  return "\"data\":" + w.take();
}

std::string navigation(std::string_view path) {
  JsonWriter w;
  w.begin_object().key("urls").begin_object();
  if (path == "/") {
    w.key("api").value("the api root");
  } else if (path == "/api") {
    w.key("v1").value("the api version 1.0");
  } else {
    constexpr std::pair<const char*, const char*> kUrls[] = {
        {"versions", "the version of SRS"},
        {"summaries", "the summary(pid, argv, pwd, cpu, mem) of SRS"},
        {"rusages", "the rusage of SRS"},
        {"self_proc_stats", "the self process stats"},
        {"system_proc_stats", "the system process stats"},
        {"meminfos", "the meminfo of system"},
        {"authors", "the license, copyright, authors and contributors"},
        {"features", "the supported features of SRS"},
        {"vhosts", "manage all vhosts or specified vhost"},
        {"streams", "manage all streams or specified stream"},
        {"clients", "manage all clients or specified client, default query top 10 clients"},
        {"raw", "raw api for srs, support CUID srs for instance the config"},
        {"forwards", "every forward to a destination, its state and retries (our addition)"},
        {"workers", "every worker process of this server (our addition)"},
        {"self", "the worker that answered (our addition)"}};
    for (const auto& [name, what] : kUrls) w.key(name).value(what);
  }
  w.end_object().end_object();
  std::string obj = w.take();
  return obj.substr(1, obj.size() - 2);  // the members, without braces
}

std::string versions() {
  JsonWriter w;
  w.begin_object();
  w.key("major").value(base::kVersionMajor).key("minor").value(base::kVersionMinor);
  w.key("revision").value(base::kVersionRevision).key("version").value(base::kVersion);
  return data(w);
}

// SRS's members, then our "http_server": where HTTP-FLV and HLS are served
// (the web console builds its preview URLs from it: not the API's port).
std::string features(const conf::HttpServerConfig& http) {
  JsonWriter w;
  w.begin_object();
  w.key("options").value("").key("options2").value("");
  w.key("build").value(base::server_signature()).key("build2").value("");
  w.key("features").begin_object();
  constexpr std::pair<const char*, bool> kFeatures[] = {
      {"ssl", false},         {"hls", true},        {"hds", false},    {"callback", true},
      {"api", true},          {"httpd", true},      {"dvr", false},    {"transcode", false},
      {"ingest", false},      {"stat", true},       {"caster", false}, {"complex_send", true},
      {"tcp_nodelay", false}, {"so_sendbuf", true}, {"mr", false}};
  for (const auto& [name, on] : kFeatures) w.key(name).value(on);
  w.end_object();
  w.key("http_server").begin_object().key("enabled").value(http.enabled);
  w.key("listen").begin_array();
  for (const conf::Endpoint& e : http.listen) w.value(e.to_string());
  w.end_array().key("ports").begin_array();
  for (const conf::Endpoint& e : http.listen) w.value(uint32_t(e.port));
  w.end_array().end_object();
  return data(w);
}

std::string authors() {
  JsonWriter w;
  w.begin_object();
  w.key("license").value("MIT");
  w.key("contributors").value("see the git history of this tree");
  return data(w);
}

}  // namespace

ServerTotals server_totals(const shm::WorkerTable& workers) {
  ServerTotals t;
  for (uint32_t slot = 0; slot < shm::kWorkerSlots; ++slot) {
    shm::WorkerInfo w = workers.read(slot);
    if (w.state != shm::WorkerState::kReady && w.state != shm::WorkerState::kDraining) continue;
    ++t.workers;
    t.connections += w.connections_now;
    t.players += w.players;
    t.publishers += w.publishers;
    t.connections_total += w.connections_total;
    t.lapped_players += w.lapped_players;
    t.dropped_players += w.dropped_players;
    t.output_gaps += w.output_gaps;
    t.forward_retries += w.forward_retries;
    t.edge_retries += w.edge_retries;
    t.handshake_timeouts += w.handshake_timeouts;
    t.header_timeouts += w.header_timeouts;
    t.refused_token += w.refused_token;
    t.refused_address += w.refused_address;
    t.refused_refer += w.refused_refer;
    t.refused_per_ip += w.refused_per_ip;
    t.refused_publishers += w.refused_publishers;
    t.refused_players += w.refused_players;
    t.directory_up += w.directory_up;
    t.directory_failures += w.directory_failures;
    t.bytes_in += w.bytes_in;
    t.bytes_out += w.bytes_out;
    t.messages_in += w.messages_in;
    t.messages_out += w.messages_out;
  }
  return t;
}

SystemApi::SystemApi(Services& svc) : svc_(svc), sampler_(svc.control) {}

CpuSampler& SystemApi::sampler() {
  sampler_.refresh(base::mono_ms());
  return sampler_;
}

bool SystemApi::route(const ApiRequest& req, ApiReply* reply) {
  std::string_view p = req.path;
  if (p == "/" || p == "/api" || p == "/api/v1") {
    reply->members = navigation(p);
  } else if (p == "/api/v1/versions") {
    reply->members = versions();
  } else if (p == "/api/v1/summaries") {
    reply->members = summaries();
  } else if (p == "/api/v1/rusages") {
    reply->members = rusages();
  } else if (p == "/api/v1/self_proc_stats") {
    reply->members = self_proc_stats();
  } else if (p == "/api/v1/system_proc_stats") {
    reply->members = system_proc_stats();
  } else if (p == "/api/v1/meminfos") {
    reply->members = meminfos();
  } else if (p == "/api/v1/features") {
    reply->members = features(svc_.config->http_server);
  } else if (p == "/api/v1/authors") {
    reply->members = authors();
  } else if (p == "/api/v1/workers") {
    reply->members = workers();
  } else if (p == "/api/v1/self") {
    JsonWriter w;  // our addition: which worker answered
    w.begin_object().key("worker_slot").value(svc_.slot).key("generation").value(svc_.generation);
    w.key("pid").value(svc_.pid);
    reply->members = data(w);
  } else {
    return false;
  }
  return true;
}

std::string SystemApi::summaries() {
  CpuSampler& cpu = sampler();
  const shm::ControlHeader::Fixed& f = svc_.control->header().fixed;
  MemInfo mem;
  (void)read_parsed("/proc/meminfo", &mem, parse_meminfo);
  int64_t now_ms = base::wall_ms();
  JsonWriter w;
  w.begin_object().key("ok").value(true).key("now_ms").value(now_ms);
  w.key("self").begin_object();
  w.key("version").value(base::kVersion).key("pid").value(f.master_pid);
  PidStat master;
  char path[48];
  std::snprintf(path, sizeof path, "/proc/%u/stat", f.master_pid);
  char buf[1024];
  bool have_master = parse_pid_stat(read_proc(path, buf, sizeof buf), &master);
  w.key("ppid").value(have_master ? int64_t(master.field[PidStat::kPpid]) : int64_t(0));
  w.key("argv").value(command_line(f.master_pid)).key("cwd").value(current_dir());
  w.key("mem_kbyte").value(cpu.server_rss_kbyte());
  w.key("mem_percent")
      .value(mem.mem_total ? double(cpu.server_rss_kbyte()) / double(mem.mem_total) : 0.0);
  w.key("cpu_percent").value(cpu.server_cpu());
  w.key("srs_uptime").value(now_ms / 1000 - int64_t(f.started_at));
  w.end_object();
  system_members(w, cpu, mem);
  w.key("srs_workers");
  workers_members(w, cpu);
  shm_members(w);
  return data(w);
}

// Our addition: the shared memory this server holds in /dev/shm (one file
// per stream ring; rings are made at publish) next to the filesystem's size
// and free space, and the control region (anonymous, mapped before fork).
void SystemApi::shm_members(JsonWriter& w) const {
  const shm::SegmentUsage rings = shm::instance_segments_usage(svc_.control->instance());
  struct statvfs fs {};
  const bool have_fs = ::statvfs(shm::kShmDir, &fs) == 0;
  w.key("shm").begin_object();
  w.key("dir").value(shm::kShmDir);
  w.key("size_bytes").value(have_fs ? uint64_t(fs.f_blocks) * fs.f_frsize : uint64_t{0});
  w.key("free_bytes").value(have_fs ? uint64_t(fs.f_bavail) * fs.f_frsize : uint64_t{0});
  w.key("rings").value(rings.count).key("rings_bytes").value(rings.bytes);
  w.key("control_bytes").value(uint64_t{svc_.control->header().fixed.size});
  w.end_object();
}

void SystemApi::system_members(JsonWriter& w, const CpuSampler& cpu, const MemInfo& mem) const {
  Uptime up;
  LoadAvg load;
  SockStat sock;
  NetDev net;
  uint64_t established = 0;
  (void)read_parsed("/proc/uptime", &up, parse_uptime);
  (void)read_parsed("/proc/loadavg", &load, parse_loadavg);
  (void)read_parsed("/proc/net/sockstat", &sock, parse_sockstat);
  (void)read_parsed("/proc/net/snmp", &established, parse_snmp_tcp_established);
  char buf[16384];  // one line per interface
  (void)parse_net_dev(read_proc("/proc/net/dev", buf, sizeof buf), &net);
  uint64_t available =
      mem.mem_available ? mem.mem_available : mem.mem_free + mem.buffers + mem.cached;
  uint64_t used = mem.mem_total > available ? mem.mem_total - available : 0;
  ServerTotals t = server_totals(svc_.control->workers());
  int64_t now_ms = base::wall_ms();
  w.key("system").begin_object();
  w.key("cpu_percent").value(cpu.system_cpu());
  w.key("mem_ram_kbyte").value(mem.mem_total);
  w.key("mem_ram_percent").value(mem.mem_total ? double(used) / double(mem.mem_total) : 0.0);
  w.key("mem_swap_kbyte").value(mem.swap_total);
  w.key("mem_swap_percent")
      .value(mem.swap_total ? double(mem.swap_total - mem.swap_free) / double(mem.swap_total)
                            : 0.0);
  w.key("cpus").value(int64_t(::sysconf(_SC_NPROCESSORS_CONF)));
  w.key("cpus_online").value(int64_t(::sysconf(_SC_NPROCESSORS_ONLN)));
  w.key("uptime").value(up.uptime).key("ilde_time").value(up.idle);
  w.key("load_1m").value(load.load_1m).key("load_5m").value(load.load_5m);
  w.key("load_15m").value(load.load_15m);
  // Every interface but lo; SRS's "intranet" figures (recvi/sendi) are lo here.
  w.key("net_sample_time").value(now_ms);
  w.key("net_recv_bytes").value(net.recv_bytes).key("net_send_bytes").value(net.send_bytes);
  w.key("net_recvi_bytes").value(net.lo_recv_bytes).key("net_sendi_bytes").value(net.lo_send_bytes);
  w.key("srs_sample_time").value(now_ms);
  w.key("srs_recv_bytes").value(t.bytes_in).key("srs_send_bytes").value(t.bytes_out);
  // As SRS: every TCP socket allocated plus those in TIME_WAIT.
  w.key("conn_sys").value(sock.tcp_alloc + sock.tcp_tw);
  w.key("conn_sys_et").value(established).key("conn_sys_tw").value(sock.tcp_tw);
  w.key("conn_sys_udp").value(sock.udp_inuse);
  w.key("conn_srs").value(t.connections);
  w.end_object();
}

// Our addition: every worker slot in use, with its counters.
void SystemApi::workers_members(JsonWriter& w, const CpuSampler& cpu) const {
  uint32_t now_s = uint32_t(base::mono_ms() / 1000);
  w.begin_array();
  for (uint32_t slot = 0; slot < shm::kWorkerSlots; ++slot) {
    shm::WorkerInfo info = svc_.control->workers().read(slot);
    if (info.state == shm::WorkerState::kFree) continue;
    const CpuSampler::Process* proc = cpu.process(info.pid);
    w.begin_object();
    w.key("slot").value(slot).key("pid").value(info.pid);
    w.key("generation").value(info.config_generation).key("starts").value(info.generation);
    w.key("state").value(shm::worker_state_name(info.state));
    w.key("started_at").value(info.started_at);
    w.key("connections").value(info.connections_now);
    w.key("connections_total").value(info.connections_total);
    w.key("players").value(info.players).key("publishers").value(info.publishers);
    w.key("recv_bytes").value(info.bytes_in).key("send_bytes").value(info.bytes_out);
    w.key("messages_in").value(info.messages_in).key("messages_out").value(info.messages_out);
    w.key("lapped_players").value(info.lapped_players);
    w.key("dropped_players").value(info.dropped_players);
    w.key("output_gaps").value(info.output_gaps);
    w.key("forward_retries").value(info.forward_retries);
    w.key("edge_retries").value(info.edge_retries);
    w.key("handshake_timeouts").value(info.handshake_timeouts);
    w.key("header_timeouts").value(info.header_timeouts);
    w.key("refused").begin_object();
    w.key("token").value(info.refused_token).key("address").value(info.refused_address);
    w.key("refer").value(info.refused_refer).key("per_ip").value(info.refused_per_ip);
    w.key("publishers").value(info.refused_publishers).key("players").value(info.refused_players);
    w.end_object();
    w.key("directory").begin_object();
    w.key("up").value(info.directory_up != 0).key("failures").value(info.directory_failures);
    w.end_object();
    w.key("writing").begin_object();
    w.key("busy").value(info.write_busy_permille / 1000.0);
    w.key("merge_window_ms").value(info.merge_window_ms);
    w.end_object();
    w.key("heartbeat_age").value(info.heartbeat ? int64_t(now_s) - int64_t(info.heartbeat) : -1);
    w.key("cpu_percent").value(proc ? proc->cpu : 0.0);
    w.key("mem_kbyte").value(proc ? proc->rss_kbyte : 0);
    w.end_object();
  }
  w.end_array();
}

std::string SystemApi::workers() {
  CpuSampler& cpu = sampler();
  JsonWriter w;
  w.key("workers");
  workers_members(w, cpu);
  return w.take();
}

// getrusage(RUSAGE_SELF): the answering worker's own.
std::string SystemApi::rusages() const {
  rusage ru{};
  bool ok = ::getrusage(RUSAGE_SELF, &ru) == 0;
  JsonWriter w;
  w.begin_object().key("ok").value(ok).key("sample_time").value(base::wall_ms());
  w.key("ru_utime").value(seconds_of(ru.ru_utime)).key("ru_stime").value(seconds_of(ru.ru_stime));
  const std::pair<const char*, long> kFields[] = {
      {"ru_maxrss", ru.ru_maxrss}, {"ru_ixrss", ru.ru_ixrss},     {"ru_idrss", ru.ru_idrss},
      {"ru_isrss", ru.ru_isrss},   {"ru_minflt", ru.ru_minflt},   {"ru_majflt", ru.ru_majflt},
      {"ru_nswap", ru.ru_nswap},   {"ru_inblock", ru.ru_inblock}, {"ru_oublock", ru.ru_oublock},
      {"ru_msgsnd", ru.ru_msgsnd}, {"ru_msgrcv", ru.ru_msgrcv},   {"ru_nsignals", ru.ru_nsignals},
      {"ru_nvcsw", ru.ru_nvcsw},   {"ru_nivcsw", ru.ru_nivcsw}};
  for (const auto& [name, v] : kFields) w.key(name).value(int64_t(v));
  return data(w);
}

// /proc/self/stat: the answering worker's; `percent` is its CPU share.
std::string SystemApi::self_proc_stats() {
  CpuSampler& cpu = sampler();
  char buf[1024];
  PidStat st;
  bool ok = parse_pid_stat(read_proc("/proc/self/stat", buf, sizeof buf), &st);
  const CpuSampler::Process* me = cpu.process(svc_.pid);
  JsonWriter w;
  w.begin_object().key("ok").value(ok).key("sample_time").value(cpu.sample_ms());
  w.key("percent").value(me ? me->cpu : 0.0);
  w.key("pid").value(st.pid).key("comm").value(std::string_view(st.comm));
  w.key("state").value(std::string_view(&st.state, 1));
  for (size_t i = 0; i < st.count; ++i) {
    w.key(pid_stat_field_name(i));
    if (pid_stat_field_signed(i)) {
      w.value(int64_t(st.field[i]));
    } else {
      w.value(st.field[i]);
    }
  }
  return data(w);
}

// /proc/stat's "cpu" line, in ticks; `percent` is the machine's busy share.
std::string SystemApi::system_proc_stats() {
  CpuSampler& cpu = sampler();
  const CpuTimes& c = cpu.system_ticks();
  JsonWriter w;
  w.begin_object().key("ok").value(c.total() > 0).key("sample_time").value(cpu.sample_ms());
  w.key("percent").value(cpu.system_cpu());
  w.key("user").value(c.user).key("nice").value(c.nice).key("sys").value(c.sys);
  w.key("idle").value(c.idle).key("iowait").value(c.iowait).key("irq").value(c.irq);
  w.key("softirq").value(c.softirq).key("steal").value(c.steal).key("guest").value(c.guest);
  return data(w);
}

// /proc/meminfo in kB; SRS's derived figures: MemActive = total - free,
// RealInUse = MemActive - buffers - cached, NotInUse = total - RealInUse.
std::string SystemApi::meminfos() const {
  MemInfo m;
  bool ok = read_parsed("/proc/meminfo", &m, parse_meminfo);
  uint64_t active = m.mem_total - m.mem_free;
  uint64_t real = active > m.buffers + m.cached ? active - m.buffers - m.cached : 0;
  JsonWriter w;
  w.begin_object().key("ok").value(ok).key("sample_time").value(base::wall_ms());
  w.key("percent_ram").value(m.mem_total ? double(real) / double(m.mem_total) : 0.0);
  w.key("percent_swap")
      .value(m.swap_total ? double(m.swap_total - m.swap_free) / double(m.swap_total) : 0.0);
  w.key("MemActive").value(active).key("RealInUse").value(real);
  w.key("NotInUse").value(m.mem_total - real).key("MemTotal").value(m.mem_total);
  w.key("MemFree").value(m.mem_free).key("Buffers").value(m.buffers).key("Cached").value(m.cached);
  w.key("SwapTotal").value(m.swap_total).key("SwapFree").value(m.swap_free);
  return data(w);
}

}  // namespace srs::worker
