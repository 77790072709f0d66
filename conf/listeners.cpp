// Listener collisions (see listeners.hpp).
#include "conf/listeners.hpp"

#include "conf/endpoint.hpp"

namespace srs::conf {
namespace {

// The HTTP API may be served by the HTTP server on the very same endpoint.
bool shared_http_port(const Listener& a, const Listener& b) {
  bool pair = (a.section == "http_server" && b.section == "http_api") ||
              (a.section == "http_api" && b.section == "http_server");
  return pair && a.endpoint == b.endpoint && a.tls == b.tls;
}

const Listener* first_collision(const std::vector<Listener>& listeners, size_t i) {
  for (size_t j = 0; j < i; ++j) {
    if (!endpoints_overlap(listeners[j].endpoint, listeners[i].endpoint)) continue;
    if (shared_http_port(listeners[j], listeners[i])) continue;
    return &listeners[j];
  }
  return nullptr;
}

}  // namespace

void check_listeners(const std::vector<Listener>& listeners, const std::string& file,
                     std::vector<ConfigError>* errors) {
  for (size_t i = 0; i < listeners.size(); ++i) {
    const Listener* other = first_collision(listeners, i);
    if (other == nullptr) continue;
    // Report at the one the user wrote when the other is a default.
    bool swap = listeners[i].line == 0 && other->line > 0;
    const Listener& l = swap ? *other : listeners[i];
    const Listener& o = swap ? listeners[i] : *other;
    std::string where = o.line > 0 ? " at line " + std::to_string(o.line) : " (a default)";
    std::string message;
    if (l.endpoint == o.endpoint) {
      message =
          "duplicate listener " + l.endpoint.to_string() + ", already listed as " + o.path + where;
    } else {
      message = "listener " + l.endpoint.to_string() + " overlaps " + o.path + " (" +
                o.endpoint.to_string() + ")" + where;
      if (l.endpoint.host.empty() || o.endpoint.host.empty()) {
        message += "; a port alone means every address";
      }
    }
    errors->push_back({file, l.line, l.column, l.path, message});
  }
}

}  // namespace srs::conf
