// The server's streams and clients for one API request (see streams_view.hpp).
#include "worker/api/streams_view.hpp"

#include <cstring>

namespace srs::worker {

KeyParts split_key(std::string_view key) noexcept {
  const size_t first = key.find('/');
  const size_t last = key.rfind('/');
  if (first == std::string_view::npos) return KeyParts{{}, {}, key};
  if (first == last) return KeyParts{key.substr(0, first), {}, key.substr(last + 1)};
  return KeyParts{key.substr(0, first), key.substr(first + 1, last - first - 1),
                  key.substr(last + 1)};
}

bool client_listed(const shm::ClientInfo& c) noexcept {
  return c.type != shm::ClientType::kHttpApi;
}

StreamsView::StreamsView(const conf::Config& config, const shm::Control& control,
                         const TrafficSampler* traffic, int64_t now_ms, uint32_t now_wall)
    : now_ms_(now_ms), now_wall_(now_wall) {
  for (size_t i = 0; i < config.vhosts.size(); ++i) {
    VhostRow v;
    v.config = &config.vhosts[i];
    v.id = "v" + std::to_string(i);
    vhosts_.push_back(std::move(v));
  }
  read_streams(control, traffic);
  read_clients(control, traffic);
  read_links(control);
  read_children(control);
  join();
}

void StreamsView::read_streams(const shm::Control& control, const TrafficSampler* traffic) {
  const shm::Registry& reg = control.registry();
  for (uint32_t i = 0; i < reg.capacity(); ++i) {
    StreamRow row;
    if (!reg.read(i, &row.info)) continue;  // Live and Lost only
    row.id = "s" + std::to_string(i) + "-" + std::to_string(row.info.generation);
    if (traffic) row.kbps = traffic->stream(row.info, now_ms_, now_wall_);
    for (uint32_t w = 0; w < shm::kWorkerSlots; ++w) {
      const uint32_t n = reg.players_on(i, w);
      if (n != 0) row.players_per_worker.push_back({w, control.workers().pid(w), n});
    }
    streams_.push_back(std::move(row));
  }
}

void StreamsView::read_clients(const shm::Control& control, const TrafficSampler* traffic) {
  control.clients().for_each([&](const shm::ClientInfo& c) {
    if (!client_listed(c)) return;
    ClientRow row;
    row.info = c;
    if (traffic) row.kbps = traffic->client(c, now_ms_, now_wall_);
    clients_.push_back(row);
  });
}

void StreamsView::read_links(const shm::Control& control) {
  control.links().for_each([&](const shm::LinkInfo& l) { links_.push_back(LinkRow{l, nullptr}); });
}

void StreamsView::read_children(const shm::Control& control) {
  control.children().for_each([&](const shm::ChildInfo& c) { children_.push_back(c); });
}

// After the vectors are complete: the pointers below stay valid.
void StreamsView::join() {
  for (ClientRow& c : clients_) {
    const std::string_view key = c.info.stream;
    for (StreamRow& s : streams_) {
      if (key.empty() || key != s.info.key) continue;
      c.stream = &s;
      s.clients++;
      if (!shm::client_type_is_publish(c.info.type)) {
        s.send_bytes += c.info.bytes_out;  // what its players received
        s.kbps.send += c.kbps.send;
      } else if (s.info.state == shm::StreamState::kLive) {
        s.publisher = &c.info;
      }
      break;
    }
    if (const int vi = vhost_index(key); vi >= 0) {
      VhostRow* v = &vhosts_[size_t(vi)];
      v->clients++;
      v->send_bytes += c.info.bytes_out;
      v->recv_bytes += c.info.bytes_in;
      v->kbps.send += c.kbps.send;
      v->kbps.recv += c.kbps.recv;
    }
  }
  for (const StreamRow& s : streams_) {
    if (const int vi = vhost_index(s.info.key); vi >= 0) vhosts_[size_t(vi)].streams++;
  }
  for (LinkRow& l : links_) {
    const std::string id =
        "s" + std::to_string(l.info.stream_slot) + "-" + std::to_string(l.info.stream_generation);
    for (StreamRow& s : streams_) {
      if (s.id != id) continue;
      l.stream = &s;
      if (l.info.kind == shm::LinkKind::kForward) s.forwards++;
      if (l.info.kind == shm::LinkKind::kEdgePull) s.upstream = &l.info;
      break;
    }
  }
  for (const shm::ChildInfo& c : children_) {
    if (c.kind == shm::ChildKind::kExec || c.output[0] == '\0') continue;
    for (StreamRow& s : streams_) {
      if (std::string_view(s.info.key) == c.output) s.made_by = &c;
    }
  }
}

const LinkRow* StreamsView::find_link(std::string_view id) const {
  for (const LinkRow& l : links_) {
    if (id == l.info.id) return &l;
  }
  return nullptr;
}

const StreamRow* StreamsView::find_stream(std::string_view id) const {
  for (const StreamRow& s : streams_) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

const ClientRow* StreamsView::find_client(std::string_view id) const {
  for (const ClientRow& c : clients_) {
    if (id == c.info.id) return &c;
  }
  return nullptr;
}

const VhostRow* StreamsView::find_vhost(std::string_view id_or_name) const {
  for (const VhostRow& v : vhosts_) {
    if (v.id == id_or_name || v.config->name == id_or_name) return &v;
  }
  return nullptr;
}

const VhostRow* StreamsView::vhost_of(std::string_view key) const {
  const int vi = vhost_index(key);
  return vi < 0 ? nullptr : &vhosts_[size_t(vi)];
}

int StreamsView::vhost_index(std::string_view key) const {
  if (key.empty()) return -1;
  const std::string_view name = split_key(key).vhost;
  for (size_t i = 0; i < vhosts_.size(); ++i) {
    if (vhosts_[i].config->name == name) return int(i);
  }
  return -1;
}

}  // namespace srs::worker
