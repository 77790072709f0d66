// Listener collisions (see listeners.hpp).
#include "conf/listeners.hpp"

#include "conf/endpoint.hpp"

namespace srs::conf {
namespace {

// The HTTP API may be served by the HTTP server on the very same endpoint.
bool shared_http_port(const Listener& a, const Listener& b) {
  bool pair = (a.section == "http_server" && b.section == "http_api") ||
              (a.section == "http_api" && b.section == "http_server");
  return pair && a.endpoint == b.endpoint;
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
    const Listener& l = listeners[i];
    std::string where = " at line " + std::to_string(other->line);
    std::string message;
    if (l.endpoint == other->endpoint) {
      message = "duplicate listener " + l.endpoint.to_string() + ", already listed as " +
                other->path + where;
    } else {
      message = "listener " + l.endpoint.to_string() + " overlaps " + other->path + " (" +
                other->endpoint.to_string() + ")" + where;
      if (l.endpoint.host.empty() || other->endpoint.host.empty()) {
        message += "; a port alone means every address";
      }
    }
    errors->push_back({file, l.line, l.column, l.path, message});
  }
}

}  // namespace srs::conf
