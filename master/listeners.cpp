// Binding and handing over the listening sockets (see listeners.hpp).
#include "master/listeners.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "base/log.hpp"

namespace srs::master {
namespace {

constexpr int kBacklog = 1024;

struct Wanted {
  std::string address;
  std::string host;  // numeric
  uint16_t port = 0;
  uint8_t services = 0;
};

bool is_v6(const std::string& host) {
  return host.find(':') != std::string::npos;
}

std::string format_address(const std::string& host, uint16_t port) {
  return is_v6(host) ? "[" + host + "]:" + std::to_string(port) : host + ":" + std::to_string(port);
}

// A port-only endpoint means every address: IPv4 and IPv6 (the latter v6-only).
void expand(const conf::Endpoint& ep, uint8_t service, std::map<std::string, Wanted>* out) {
  std::vector<std::string> hosts;
  if (ep.host.empty()) {
    hosts = {"0.0.0.0", "::"};
  } else {
    hosts = {ep.host};
  }
  for (const std::string& host : hosts) {
    std::string address = format_address(host, ep.port);
    Wanted& w = (*out)[address];
    w.address = address;
    w.host = host;
    w.port = ep.port;
    w.services |= service;
  }
}

std::map<std::string, Wanted> wanted_listeners(const conf::Config& config) {
  std::map<std::string, Wanted> wanted;
  for (const auto& ep : config.rtmp.listen) expand(ep, kServiceRtmp, &wanted);
  for (const auto& ep : config.rtmp.listen_tls) expand(ep, kServiceRtmp | kServiceTls, &wanted);
  if (config.http_server.enabled) {
    for (const auto& ep : config.http_server.listen) expand(ep, kServiceHttp, &wanted);
    for (const auto& ep : config.http_server.listen_tls)
      expand(ep, kServiceHttp | kServiceTls, &wanted);
  }
  if (config.http_api.enabled) {
    for (const auto& ep : config.http_api.listen) expand(ep, kServiceApi, &wanted);
    for (const auto& ep : config.http_api.listen_tls)
      expand(ep, kServiceApi | kServiceTls, &wanted);
  }
  return wanted;
}

// Returns the bound, listening socket, or -1 with errno set and `call` naming the failure.
int bind_listener(const Wanted& w, const char** call) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  int family = is_v6(w.host) ? AF_INET6 : AF_INET;
  if (family == AF_INET6) {
    auto* sa = reinterpret_cast<sockaddr_in6*>(&ss);
    sa->sin6_family = AF_INET6;
    sa->sin6_port = htons(w.port);
    inet_pton(AF_INET6, w.host.c_str(), &sa->sin6_addr);
    len = sizeof *sa;
  } else {
    auto* sa = reinterpret_cast<sockaddr_in*>(&ss);
    sa->sin_family = AF_INET;
    sa->sin_port = htons(w.port);
    inet_pton(AF_INET, w.host.c_str(), &sa->sin_addr);
    len = sizeof *sa;
  }
  *call = "socket";
  int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  *call = "bind";
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0) {
    *call = "listen";
    if (::listen(fd, kBacklog) == 0) return fd;
  }
  int err = errno;
  ::close(fd);
  errno = err;
  return -1;
}

}  // namespace

std::string services_name(uint8_t services) {
  std::string s;
  if (services & kServiceRtmp) s += "rtmp";
  if (services & kServiceHttp) s += s.empty() ? "http" : "+http";
  if (services & kServiceApi) s += s.empty() ? "api" : "+api";
  if (services & kServiceTls) s += " over tls";
  return s;
}

bool ListenerSet::open(const conf::Config& config, ListenerSet* previous,
                       std::vector<std::string>* errors) {
  bool ok = true;
  for (auto& [address, w] : wanted_listeners(config)) {
    Listener l;
    l.address = address;
    l.services = w.services;
    if (previous) {
      for (Listener& old : previous->listeners_) {
        if (old.address == address && old.fd.valid()) {
          l.fd = std::move(old.fd);
          break;
        }
      }
    }
    if (!l.fd.valid()) {
      const char* call = "";
      int fd = bind_listener(w, &call);
      if (fd < 0 && errno == EAFNOSUPPORT && w.host == "::") {
        LOG_WARN("no IPv6 on this host: %s not bound (the IPv4 socket serves the port)",
                 address.c_str());
        continue;
      }
      if (fd < 0) {
        errors->push_back(std::string(call) + "(" + address + ") failed (" + std::to_string(errno) +
                          ": " + std::strerror(errno) + ") while opening the " +
                          services_name(w.services) + " listener");
        ok = false;
        continue;
      }
      l.fd.reset(fd);
    }
    listeners_.push_back(std::move(l));
  }
  return ok;
}

std::vector<int> ListenerSet::fds() const {
  std::vector<int> out;
  for (const Listener& l : listeners_) out.push_back(l.fd.get());
  return out;
}

void ListenerSet::take_back(ListenerSet* other) {
  for (Listener& mine : listeners_) {
    if (mine.fd.valid()) continue;
    for (Listener& theirs : other->listeners_) {
      if (theirs.address == mine.address && theirs.fd.valid()) mine.fd = std::move(theirs.fd);
    }
  }
}

bool ListenerSet::holds_sockets() const {
  for (const Listener& l : listeners_) {
    if (l.fd.valid()) return true;
  }
  return false;
}

std::string ListenerSet::describe() const {
  std::string s;
  for (const Listener& l : listeners_) {
    if (!l.fd.valid()) continue;
    if (!s.empty()) s += ", ";
    s += services_name(l.services) + " " + l.address;
  }
  return s;
}

}  // namespace srs::master
