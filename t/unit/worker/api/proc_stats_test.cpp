// The /proc parsers on texts captured from Linux 6.x, and on texts they
// must survive (odd process names, older kernels, garbage).
#include "worker/api/proc_stats.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstring>
#include <string>

using namespace srs::worker;

TEST_CASE("/proc/stat: the aggregate cpu line, not a per-cpu one") {
  const char* text =
      "cpu  1364443 3113 119975 1050110 3638 0 4176 12477 0 0\n"
      "cpu0 636951 1913 56493 574855 551 0 1896 6325 0 0\n"
      "intr 114 0 9\n";
  CpuTimes c;
  REQUIRE(parse_proc_stat(text, &c));
  CHECK(c.user == 1364443);
  CHECK(c.nice == 3113);
  CHECK(c.sys == 119975);
  CHECK(c.idle == 1050110);
  CHECK(c.iowait == 3638);
  CHECK(c.softirq == 4176);
  CHECK(c.steal == 12477);
  CHECK(c.total() == 1364443 + 3113 + 119975 + 1050110 + 3638 + 4176 + 12477);
  CHECK(c.busy() == c.total() - 1050110 - 3638);
  CpuTimes old;
  CHECK(parse_proc_stat("cpu  10 0 5 100\n", &old));  // 2.4 kernels: four fields
  CHECK_FALSE(parse_proc_stat("cpu0 1 2 3 4\n", &old));
  CHECK_FALSE(parse_proc_stat("", &old));
}

TEST_CASE("/proc/<pid>/stat: fields by SRS's names, signed ones, and rsslim past 2^63") {
  const char* text =
      "32428 (cat) R 32425 32425 9924 0 -1 4194304 100 0 0 0 7 3 -2 0 20 0 1 0 1280302 3133440 "
      "412 18446744073709551615 94567500132352 94567500152233 140726701241872 0 0 0 0 0 0 0 0 0 "
      "17 0 0 0 0 0 0 94567500168240 94567500169856 94567540596736 140726701243018\n";
  PidStat s;
  REQUIRE(parse_pid_stat(text, &s));
  CHECK(s.pid == 32428);
  CHECK(std::string(s.comm) == "cat");
  CHECK(s.state == 'R');
  CHECK(s.field[PidStat::kPpid] == 32425);
  CHECK(int64_t(s.field[4]) == -1);  // tpgid
  CHECK(std::string(pid_stat_field_name(4)) == "tpgid");
  CHECK(s.field[PidStat::kUtime] == 7);
  CHECK(s.field[PidStat::kStime] == 3);
  CHECK(int64_t(s.field[12]) == -2);  // cutime is signed
  CHECK(pid_stat_field_signed(12));
  CHECK_FALSE(pid_stat_field_signed(21));
  CHECK(s.field[PidStat::kRss] == 412);
  CHECK(s.field[21] == 18446744073709551615ull);  // rsslim: RLIM_INFINITY
  CHECK(s.count == PidStat::kFields);
  CHECK(std::string(pid_stat_field_name(PidStat::kFields - 1)) == "cguest_time");
}

TEST_CASE("/proc/<pid>/stat: a name with spaces and parentheses ends at the last ')'") {
  const char* text = "77 (srs: worker (1)) S 76 76 1 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 9 100 33\n";
  PidStat s;
  REQUIRE(parse_pid_stat(text, &s));
  CHECK(std::string(s.comm) == "srs: worker (1)");
  CHECK(s.state == 'S');
  CHECK(s.field[PidStat::kPpid] == 76);
  CHECK(s.field[PidStat::kRss] == 33);
  CHECK(s.count == PidStat::kRss + 1);
  CHECK_FALSE(parse_pid_stat("77 (x) S 1 2 3\n", &s));  // cut short before rss
  CHECK_FALSE(parse_pid_stat("77 x S 1\n", &s));
  CHECK_FALSE(parse_pid_stat("", &s));
}

TEST_CASE("/proc/meminfo") {
  const char* text =
      "MemTotal:       24684096 kB\nMemFree:        20749592 kB\nMemAvailable:   22892932 kB\n"
      "Buffers:           11656 kB\nCached:          2364416 kB\nSwapCached:            0 kB\n"
      "SwapTotal:       1048572 kB\nSwapFree:         1048000 kB\n";
  MemInfo m;
  REQUIRE(parse_meminfo(text, &m));
  CHECK(m.mem_total == 24684096);
  CHECK(m.mem_free == 20749592);
  CHECK(m.mem_available == 22892932);
  CHECK(m.buffers == 11656);
  CHECK(m.cached == 2364416);  // not SwapCached
  CHECK(m.swap_total == 1048572);
  CHECK(m.swap_free == 1048000);
  MemInfo none;
  CHECK_FALSE(parse_meminfo("garbage\n", &none));
}

TEST_CASE("/proc/loadavg and /proc/uptime") {
  LoadAvg l;
  REQUIRE(parse_loadavg("7.62 5.96 4.42 11/134 32433\n", &l));
  CHECK(l.load_1m == doctest::Approx(7.62));
  CHECK(l.load_5m == doctest::Approx(5.96));
  CHECK(l.load_15m == doctest::Approx(4.42));
  Uptime u;
  REQUIRE(parse_uptime("12803.08 10501.10\n", &u));
  CHECK(u.uptime == doctest::Approx(12803.08));
  CHECK(u.idle == doctest::Approx(10501.10));
  CHECK_FALSE(parse_loadavg("", &l));
}

TEST_CASE("/proc/net/sockstat and the established count of /proc/net/snmp") {
  SockStat s;
  REQUIRE(
      parse_sockstat("sockets: used 17\nTCP: inuse 4 orphan 0 tw 195 alloc 6 mem 0\n"
                     "UDP: inuse 2 mem 0\nUDPLITE: inuse 0\n",
                     &s));
  CHECK(s.tcp_inuse == 4);
  CHECK(s.tcp_tw == 195);
  CHECK(s.tcp_alloc == 6);
  CHECK(s.udp_inuse == 2);  // not UDPLITE's
  const char* snmp =
      "Ip: Forwarding DefaultTTL\nIp: 1 64\n"
      "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets "
      "CurrEstab InSegs\nTcp: 1 200 120000 -1 33387 32967 401 23562 9 25832775\n"
      "Udp: InDatagrams\nUdp: 5\n";
  uint64_t established = 0;
  REQUIRE(parse_snmp_tcp_established(snmp, &established));
  CHECK(established == 9);
  CHECK_FALSE(parse_snmp_tcp_established("Tcp: CurrEstab\n", &established));
}

TEST_CASE("/proc/net/dev: loopback apart from the other interfaces") {
  const char* text =
      "Inter-|   Receive                                                |  Transmit\n"
      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs "
      "drop fifo colls carrier compressed\n"
      "    lo: 57177101787 25828577    0    0    0     0          0         0 57177101787 "
      "25828577    0    0    0     0       0          0\n"
      "  eth0:    1000      10    0    0    0     0          0         0     2000      20    0    "
      "0    0     0       0          0\n"
      "  eth1:     500       5    0    0    0     0          0         0      700       7    0    "
      "0    0     0       0          0\n";
  NetDev n;
  REQUIRE(parse_net_dev(text, &n));
  CHECK(n.recv_bytes == 1500);
  CHECK(n.send_bytes == 2700);
  CHECK(n.lo_recv_bytes == 57177101787ull);
  CHECK(n.lo_send_bytes == 57177101787ull);
  CHECK_FALSE(parse_net_dev("Inter-|\n face |\n", &n));
}

TEST_CASE("read_proc reads a whole small file into the caller's buffer, cut to fit") {
  char buf[4096];
  std::string_view self = read_proc("/proc/self/stat", buf, sizeof buf);
  PidStat s;
  REQUIRE(parse_pid_stat(self, &s));
  CHECK(s.pid == int(::getpid()));
  char small[8];
  std::string_view cut = read_proc("/proc/self/stat", small, sizeof small);
  CHECK(cut.size() == 7);
  CHECK(small[7] == '\0');
  CHECK(read_proc("/proc/no/such/file", buf, sizeof buf).empty());
}
