// The streams family of the HTTP API (SRS 1.13 field names, see
// ../shared/research/srs.md): /api/v1/vhosts[/id], /api/v1/streams[/id],
// /api/v1/clients[/id] and DELETE /api/v1/clients/id (a kick, wherever the
// client is); ours: /api/v1/forwards[/id], /api/v1/children[/id] (the
// master's transcode, ingest and exec children). Figures are server-wide: read from shared memory
// by whichever worker answers (StreamsView). Ids are described in streams_view.hpp.
//
// Our additions, under names SRS does not use: streams carry "state"
// ("live", "lost": waiting for a republish), "generation", "worker_slot",
// "worker_pid" (the publisher's worker), "transcoder" and "ingest" (the
// master's child that publishes it, or null), "players", "bitrate_kbps" (the
// publisher's input over ~10 s), "messages" (audio and video; "frames" counts
// video frames only, as SRS does), "srs_workers" (players per worker);
// clients carry "worker_slot", "worker_pid";
// lists carry "total". Not stored, hence "": pageUrl, swfUrl, tcUrl.
#include <ctime>
#include <string>

#include "base/clock.hpp"
#include "base/json_writer.hpp"
#include "base/log.hpp"
#include "proto/http/target.hpp"
#include "worker/api/api_reply.hpp"
#include "worker/api/api_route.hpp"
#include "worker/api/streams_view.hpp"
#include "worker/api/traffic_sampler.hpp"
#include "worker/core/services.hpp"
#include "worker/stream/stream_stats.hpp"

namespace srs::worker {
namespace {

using base::JsonWriter;

// SRS's error codes (srs_kernel_error.hpp).
constexpr int kErrorVhostNotFound = 2014;
constexpr int kErrorStreamNotFound = 2048;
constexpr int kErrorClientNotFound = 2049;
constexpr int kErrorForwardNotFound = 2050;  // ours: SRS lists no forwarders
constexpr int kErrorChildNotFound = 2051;    // ours: the master's ffmpeg and exec children
void write_kbps(JsonWriter& w, const Kbps& k) {
  w.key("kbps").begin_object();
  w.key("recv_30s").value(k.recv).key("send_30s").value(k.send);
  w.end_object();
}

std::string url_of(const KeyParts& k) {
  return "/" + std::string(k.app) + "/" + std::string(k.stream);
}

void write_codecs(JsonWriter& w, const shm::StreamInfo& info) {
  const proto::flv::CodecSummary c = stream_codecs(info);
  w.key("video");
  if (c.video_codec == nullptr) {
    w.null();
  } else {
    w.begin_object();
    w.key("codec").value(c.video_codec).key("profile").value(c.video_profile);
    w.key("level").value(c.video_level).key("width").value(c.width);
    w.key("height").value(c.height).end_object();
  }
  w.key("audio");
  if (c.audio_codec == nullptr) {
    w.null();
  } else {
    w.begin_object();
    w.key("codec").value(c.audio_codec).key("sample_rate").value(c.sample_rate);
    w.key("channel").value(uint32_t(c.channels)).key("profile").value(c.audio_profile);
    w.end_object();
  }
}

void write_stream(JsonWriter& w, const StreamsView& view, const StreamRow& s) {
  const KeyParts k = split_key(s.info.key);
  const VhostRow* vhost = view.vhost_of(s.info.key);
  const bool live = s.info.state == shm::StreamState::kLive;
  w.begin_object();
  w.key("id").value(s.id).key("name").value(k.stream);
  w.key("vhost").value(vhost ? vhost->id : std::string());
  w.key("app").value(k.app).key("tcUrl").value("").key("url").value(url_of(k));
  w.key("live_ms").value(uint64_t(view.now_wall()) * 1000);  // SRS: the time of the reply
  w.key("clients").value(s.clients).key("frames").value(s.info.video_frames);
  w.key("send_bytes").value(s.send_bytes).key("recv_bytes").value(s.info.bytes_in);
  write_kbps(w, s.kbps);
  w.key("publish").begin_object();
  w.key("active").value(live).key("cid").value(s.publisher ? s.publisher->id : "");
  w.end_object();
  write_codecs(w, s.info);
  w.key("state").value(live ? "live" : "lost").key("generation").value(s.info.generation);
  w.key("worker_slot");
  if (live)
    w.value(s.info.owner_slot);
  else
    w.null();
  w.key("worker_pid").value(live ? s.info.owner_pid : 0u);
  w.key("players").value(s.info.players).key("bitrate_kbps").value(s.info.bitrate_kbps);
  w.key("messages").value(s.info.messages).key("forwards").value(s.forwards);
  w.key("upstream");  // an edge: the origin it pulls the stream from
  if (s.upstream) {
    w.begin_object().key("url").value(s.upstream->url);
    w.key("state").value(shm::link_state_name(s.upstream->kind, s.upstream->state));
    w.key("cid").value(s.upstream->id).key("upstream_cid").value(s.upstream->peer_id);
    w.key("reconnects").value(s.upstream->reconnects).end_object();
  } else {
    w.null();
  }
  // A transcoder's output, or an ingest's: the child that publishes it.
  for (shm::ChildKind kind : {shm::ChildKind::kTranscode, shm::ChildKind::kIngest}) {
    w.key(kind == shm::ChildKind::kTranscode ? "transcoder" : "ingest");
    if (s.made_by != nullptr && s.made_by->kind == kind) {
      w.begin_object().key("id").value("c" + std::to_string(s.made_by->id));
      w.key(kind == shm::ChildKind::kTranscode ? "engine" : "name").value(s.made_by->name);
      w.key("source").value(s.made_by->source).key("pid").value(s.made_by->pid).end_object();
    } else {
      w.null();
    }
  }
  w.key("srs_workers").begin_array();
  for (const StreamRow::WorkerPlayers& p : s.players_per_worker) {
    w.begin_object().key("worker_slot").value(p.slot).key("worker_pid").value(p.pid);
    w.key("players").value(p.players).end_object();
  }
  w.end_array();
  w.key("published_at").value(s.info.published_at);
  w.end_object();
}

void write_client(JsonWriter& w, const StreamsView& view, const ClientRow& c) {
  const shm::ClientInfo& i = c.info;
  const KeyParts k = split_key(i.stream);
  const VhostRow* vhost = view.vhost_of(i.stream);
  const double alive = view.now_wall() > i.started_at ? double(view.now_wall() - i.started_at) : 0;
  w.begin_object();
  w.key("id").value(i.id).key("vhost").value(vhost ? vhost->id : std::string());
  w.key("stream").value(c.stream ? c.stream->id : std::string());
  w.key("ip").value(i.ip).key("pageUrl").value("").key("swfUrl").value("").key("tcUrl").value("");
  w.key("url").value(i.stream[0] ? url_of(k) : std::string()).key("name").value(k.stream);
  w.key("type").value(shm::client_type_name(i.type));
  w.key("publish").value(shm::client_type_is_publish(i.type)).key("alive").value(alive);
  w.key("send_bytes").value(i.bytes_out).key("recv_bytes").value(i.bytes_in);
  write_kbps(w, c.kbps);
  w.key("worker_slot").value(i.owner_slot).key("worker_pid").value(i.owner_pid);
  w.end_object();
}

void write_link(JsonWriter& w, const StreamsView& view, const LinkRow& l) {
  const shm::LinkInfo& i = l.info;
  const KeyParts k = l.stream ? split_key(l.stream->info.key) : KeyParts{};
  const VhostRow* vhost = l.stream ? view.vhost_of(l.stream->info.key) : nullptr;
  const double alive = view.now_wall() > i.started_at ? double(view.now_wall() - i.started_at) : 0;
  w.begin_object();
  w.key("id").value(i.id).key("kind").value(shm::link_kind_name(i.kind));
  w.key("vhost").value(vhost ? vhost->id : std::string());
  w.key("stream").value(l.stream ? l.stream->id : std::string());
  w.key("app").value(k.app).key("name").value(k.stream);
  w.key("destination").value(i.url).key("state").value(shm::link_state_name(i.kind, i.state));
  w.key("upstream_cid").value(i.peer_id);
  w.key("reconnects").value(i.reconnects).key("alive").value(alive);
  w.key("send_bytes").value(i.bytes_out).key("recv_bytes").value(i.bytes_in);
  w.key("worker_slot").value(i.owner_slot).key("worker_pid").value(i.owner_pid);
  w.end_object();
}

void write_vhost(JsonWriter& w, const VhostRow& v) {
  w.begin_object();
  w.key("id").value(v.id).key("name").value(v.config->name).key("enabled").value(v.config->enabled);
  w.key("clients").value(v.clients).key("streams").value(v.streams);
  w.key("send_bytes").value(v.send_bytes).key("recv_bytes").value(v.recv_bytes);
  write_kbps(w, v.kbps);
  w.key("hls").begin_object();
  w.key("enabled").value(v.config->hls.enabled);
  w.key("fragment").value(double(v.config->hls.fragment.count()) / 1000);
  w.end_object();
  w.end_object();
}

void get_vhosts(const StreamsView& view, std::string_view id, ApiReply* reply) {
  JsonWriter w;
  if (id.empty()) {
    w.key("vhosts").begin_array();
    for (const VhostRow& v : view.vhosts()) write_vhost(w, v);
    w.end_array();
  } else {
    const VhostRow* v = view.find_vhost(id);
    if (!v) return not_found(reply, kErrorVhostNotFound, "vhost", id);
    w.key("vhost");
    write_vhost(w, *v);
  }
  reply->members = w.take();
}

void get_streams(const StreamsView& view, std::string_view id, std::string_view query,
                 ApiReply* reply) {
  JsonWriter w;
  if (id.empty()) {
    write_page(w, "streams", view.streams(), page_of(query),
               [&](const StreamRow& s) { write_stream(w, view, s); });
  } else {
    const StreamRow* s = view.find_stream(id);
    if (!s) return not_found(reply, kErrorStreamNotFound, "stream", id);
    w.key("stream");
    write_stream(w, view, *s);
  }
  reply->members = w.take();
}

void get_clients(const StreamsView& view, std::string_view id, std::string_view query,
                 ApiReply* reply) {
  JsonWriter w;
  if (id.empty()) {
    write_page(w, "clients", view.clients(), page_of(query),
               [&](const ClientRow& c) { write_client(w, view, c); });
  } else {
    const ClientRow* c = view.find_client(id);
    if (!c) return not_found(reply, kErrorClientNotFound, "client", id);
    w.key("client");
    write_client(w, view, *c);
  }
  reply->members = w.take();
}

void get_forwards(const StreamsView& view, std::string_view id, std::string_view query,
                  ApiReply* reply) {
  JsonWriter w;
  if (id.empty()) {
    std::vector<const LinkRow*> forwards;
    for (const LinkRow& l : view.links())
      if (l.info.kind == shm::LinkKind::kForward) forwards.push_back(&l);
    write_page(w, "forwards", forwards, page_of(query),
               [&](const LinkRow* l) { write_link(w, view, *l); });
  } else {
    const LinkRow* l = view.find_link(id);
    if (!l) return not_found(reply, kErrorForwardNotFound, "forward", id);
    w.key("forward");
    write_link(w, view, *l);
  }
  reply->members = w.take();
}

// One of the master's children (shm/children.hpp): id "c<n>", kind,
// name (engine, ingest, exec event), source, output, pid, state, restarts,
// started_at, last_exit.
void write_child(JsonWriter& w, const shm::ChildInfo& c) {
  w.begin_object().key("id").value("c" + std::to_string(c.id));
  w.key("kind").value(shm::child_kind_name(c.kind)).key("name").value(c.name);
  w.key("source").value(c.source).key("output").value(c.output);
  w.key("pid").value(c.pid).key("state").value(shm::child_phase_name(c.state));
  w.key("restarts").value(c.restarts).key("started_at").value(c.started_at);
  w.key("last_exit").value(c.last_exit).end_object();
}

void get_children(const StreamsView& view, std::string_view id, std::string_view query,
                  ApiReply* reply) {
  JsonWriter w;
  if (id.empty()) {
    write_page(w, "children", view.children(), page_of(query),
               [&](const shm::ChildInfo& c) { write_child(w, c); });
  } else {
    const shm::ChildInfo* found = nullptr;
    for (const shm::ChildInfo& c : view.children()) {
      if (id == "c" + std::to_string(c.id)) found = &c;
    }
    if (!found) return not_found(reply, kErrorChildNotFound, "child", id);
    w.key("child");
    write_child(w, *found);
  }
  reply->members = w.take();
}

// SRS: conn->expire(). Here the owner worker closes it when its doorbell
// rings (Control::kick_client), whichever worker this is.
void kick_client(Services& svc, const StreamsView& view, std::string_view id, ApiReply* reply) {
  const ClientRow* c = id.empty() ? nullptr : view.find_client(id);
  if (!c) return not_found(reply, kErrorClientNotFound, "client", id);
  base::Result<uint32_t> owner =
      svc.control->kick_client(c->info.index, c->info.incarnation, *svc.wakeups);
  if (!owner.is_ok()) return not_found(reply, kErrorClientNotFound, "client", id);
  LOG_INFO("api: kick client %s (%s %s from %s) on worker slot %u, pid %u", c->info.id,
           shm::client_type_name(c->info.type), c->info.stream, c->info.ip, *owner,
           c->info.owner_pid);
}

}  // namespace

bool route_streams_api(Services& svc, const ApiRequest& req, ApiReply* reply) {
  std::string_view id;
  enum { kVhosts, kStreams, kClients, kForwards, kChildren } family;
  if (under(req.path, "/api/v1/vhosts", &id))
    family = kVhosts;
  else if (under(req.path, "/api/v1/streams", &id))
    family = kStreams;
  else if (under(req.path, "/api/v1/clients", &id))
    family = kClients;
  else if (under(req.path, "/api/v1/forwards", &id))
    family = kForwards;
  else if (under(req.path, "/api/v1/children", &id))
    family = kChildren;
  else
    return false;
  const bool del = req.method == "DELETE" && family == kClients && !id.empty();
  if (req.method != "GET" && !del) {
    method_not_allowed(reply, req.method);
    return true;
  }
  if (svc.traffic) svc.traffic->activate();
  const StreamsView view(*svc.config, *svc.control, svc.traffic, base::mono_ms(),
                         uint32_t(std::time(nullptr)));
  if (del)
    kick_client(svc, view, id, reply);
  else if (family == kVhosts)
    get_vhosts(view, id, reply);
  else if (family == kStreams)
    get_streams(view, id, req.query, reply);
  else if (family == kForwards)
    get_forwards(view, id, req.query, reply);
  else if (family == kChildren)
    get_children(view, id, req.query, reply);
  else
    get_clients(view, id, req.query, reply);
  return true;
}

}  // namespace srs::worker
