// ClientTable: the server-wide connection table; see clients.hpp.
#include "shm/clients.hpp"

#include <cstring>

#include "shm/control_word.hpp"
#include "shm/ring_fence.hpp"  // fence(): a thread fence that also builds under TSan

namespace srs::shm {

using base::Errc;
using base::Result;
using base::Status;

namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;
constexpr auto kAcquire = std::memory_order_acquire;
constexpr auto kRelease = std::memory_order_release;
constexpr auto kAcqRel = std::memory_order_acq_rel;
constexpr int kReadRetries = 16;

constexpr uint32_t raw(ClientState s) noexcept {
  return static_cast<uint32_t>(s);
}

}  // namespace

const char* client_type_name(ClientType type) noexcept {
  switch (type) {
    case ClientType::kUnknown:
      return "unknown";
    case ClientType::kRtmpPlay:
      return "rtmp-play";
    case ClientType::kFlvPlay:
      return "flv-play";
    case ClientType::kHlsPlay:
      return "hls-play";
    case ClientType::kFmlePublish:
      return "fmle-publish";
    case ClientType::kFlashPublish:
      return "flash-publish";
    case ClientType::kHaivisionPublish:
      return "haivision-publish";
    case ClientType::kHttpApi:
      return "http-api";
    case ClientType::kRtmpForward:
      return "rtmp-forward";
    case ClientType::kEdgePull:
      return "edge-pull";
  }
  return "unknown";
}

bool client_type_is_publish(ClientType type) noexcept {
  return type == ClientType::kFmlePublish || type == ClientType::kFlashPublish ||
         type == ClientType::kHaivisionPublish;
}

void ClientTable::write_begin(ClientEntry& e) noexcept {
  seqlock_write_begin(e.ctl.seq);
}

void ClientTable::write_end(ClientEntry& e) noexcept {
  seqlock_write_end(e.ctl.seq);
}

Result<ClientRef> ClientTable::claim(Owner owner, ClientType type, const base::ContextId& id,
                                     std::string_view ip, uint32_t now_wall) noexcept {
  if (owner.worker_slot >= kWorkerSlots)
    return Status::fail(Errc::kInvalid, "owner worker slot out of range");
  if (ip.size() >= 4 * kIpWords) return Status::fail(Errc::kInvalid, "client ip text too long");
  // Each worker starts in its own part of the table, so claims rarely collide.
  const uint32_t start =
      static_cast<uint32_t>((uint64_t{owner.worker_slot} * count_) / kWorkerSlots);
  for (uint32_t d = 0; d < count_; ++d) {
    const uint32_t i = (start + d) % count_;
    ClientEntry& e = entries_[i];
    uint32_t w = e.ctl.state.load(kRelaxed);
    if (StateWord::unpack(w).kind != raw(ClientState::kFree)) continue;
    const StateWord claiming = StateWord::unpack(
        StateWord::unpack(w).next(raw(ClientState::kClaiming), owner.worker_slot));
    if (!e.ctl.state.compare_exchange_strong(w, claiming.pack(), kAcqRel)) continue;
    write_begin(e);
    uint32_t inc = e.ctl.incarnation.load(kRelaxed) + 1;
    if (inc == 0) inc = 1;  // 0 means "not kicked"
    e.ctl.incarnation.store(inc, kRelaxed);
    e.ctl.kick.store(0, kRelaxed);
    e.info.owner_pid.store(owner.pid, kRelaxed);
    e.info.type.store(static_cast<uint32_t>(type), kRelaxed);
    e.info.started_at.store(now_wall, kRelaxed);
    e.info.stream_slot.store(kNoSlot, kRelaxed);
    e.info.stream_generation.store(0, kRelaxed);
    store_text(e.info.id, kIdWords, id.c_str());
    store_text(e.info.ip, kIpWords, ip);
    store_text(e.stream.words, kKeyWords, "");
    e.bytes.in.reset();
    e.bytes.out.reset();
    write_end(e);
    e.ctl.state.store(claiming.next(raw(ClientState::kActive), owner.worker_slot), kRelease);
    (void)addresses_.acquire(ip);  // a full table: this one is not counted
    return ClientRef{i, inc, owner.worker_slot};
  }
  return Status::fail(Errc::kTooLarge, "client table is full (shm.max_clients)");
}

bool ClientTable::owns(const ClientRef& ref, uint32_t* word) const noexcept {
  if (ref.index >= count_) return false;
  const ClientEntry& e = entries_[ref.index];
  *word = e.ctl.state.load(kAcquire);
  const StateWord sw = StateWord::unpack(*word);
  return sw.kind == raw(ClientState::kActive) && sw.owner == ref.worker_slot &&
         e.ctl.incarnation.load(kRelaxed) == ref.incarnation;
}

Status ClientTable::set_stream(const ClientRef& ref, ClientType type, uint32_t stream_slot,
                               uint32_t stream_generation, std::string_view key) noexcept {
  uint32_t w = 0;
  if (!owns(ref, &w)) return Status::fail(Errc::kRejected, "client entry is not this connection's");
  if (key.size() > kMaxKeyLength)
    return Status::fail(Errc::kTooLarge, "stream key longer than 255 bytes");
  ClientEntry& e = entries_[ref.index];
  write_begin(e);
  e.info.type.store(static_cast<uint32_t>(type), kRelaxed);
  e.info.stream_slot.store(stream_slot, kRelaxed);
  e.info.stream_generation.store(stream_generation, kRelaxed);
  store_text(e.stream.words, kKeyWords, key);
  write_end(e);
  return Status::ok();
}

bool ClientTable::kicked(const ClientRef& ref) const noexcept {
  return ref.index < count_ && entries_[ref.index].ctl.kick.load(kAcquire) == ref.incarnation;
}

Status ClientTable::release(const ClientRef& ref) noexcept {
  uint32_t w = 0;
  if (!owns(ref, &w)) return Status::fail(Errc::kRejected, "client entry is not this connection's");
  const uint32_t freed = StateWord::unpack(w).next(raw(ClientState::kFree));
  ClientEntry& e = entries_[ref.index];
  uncount(e);  // the owner alone writes the ip: still this connection's
  if (!e.ctl.state.compare_exchange_strong(w, freed, kAcqRel)) {
    return Status::fail(Errc::kRejected, "client entry changed while being released");
  }
  return Status::ok();
}

void ClientTable::uncount(const ClientEntry& e) noexcept {
  if (!addresses_.valid()) return;
  char ip[4 * kIpWords] = {};
  load_text(e.info.ip, kIpWords, ip);
  addresses_.release(ip);
}

Result<uint32_t> ClientTable::kick(uint32_t index, uint32_t incarnation) noexcept {
  if (index >= count_) return Status::fail(Errc::kInvalid, "client index out of range");
  ClientEntry& e = entries_[index];
  const StateWord sw = StateWord::unpack(e.ctl.state.load(kAcquire));
  if (sw.kind != raw(ClientState::kActive) || e.ctl.incarnation.load(kAcquire) != incarnation) {
    return Status::fail(Errc::kNotFound, "client is gone");
  }
  // Storing the incarnation (not a bare flag) means a kick that lands after
  // the entry was reused never matches the new connection.
  e.ctl.kick.store(incarnation, kRelease);
  return sw.owner;
}

bool ClientTable::read(uint32_t index, ClientInfo* out) const noexcept {
  if (index >= count_) return false;
  const ClientEntry& e = entries_[index];
  for (int attempt = 0; attempt < kReadRetries; ++attempt) {
    const uint32_t w0 = e.ctl.state.load(kAcquire);
    const StateWord sw = StateWord::unpack(w0);
    if (sw.kind != raw(ClientState::kActive)) return false;
    const uint32_t q0 = e.ctl.seq.load(kAcquire);
    if (q0 & 1) continue;
    ClientInfo& c = *out;
    c.index = index;
    c.owner_slot = sw.owner;
    c.incarnation = e.ctl.incarnation.load(kRelaxed);
    c.kicked = e.ctl.kick.load(kRelaxed) == c.incarnation;
    c.owner_pid = e.info.owner_pid.load(kRelaxed);
    c.type = static_cast<ClientType>(e.info.type.load(kRelaxed));
    c.started_at = e.info.started_at.load(kRelaxed);
    c.stream_slot = e.info.stream_slot.load(kRelaxed);
    c.stream_generation = e.info.stream_generation.load(kRelaxed);
    load_text(e.info.id, kIdWords, c.id);
    load_text(e.info.ip, kIpWords, c.ip);
    load_text(e.stream.words, kKeyWords, c.stream);
    c.bytes_in = e.bytes.in.load();
    c.bytes_out = e.bytes.out.load();
    fence(kAcquire);
    if (e.ctl.seq.load(kRelaxed) == q0 && e.ctl.state.load(kRelaxed) == w0) return true;
  }
  return false;
}

Result<ClientInfo> ClientTable::find(const base::ContextId& id) const noexcept {
  for (uint32_t i = 0; i < count_; ++i) {
    ClientInfo info;
    if (read(i, &info) && strcmp(info.id, id.c_str()) == 0) return info;
  }
  return Status::fail(Errc::kNotFound, "no client with this id");
}

uint32_t ClientTable::free_owned_by(uint64_t worker_mask) noexcept {
  const auto in_mask = [worker_mask](uint32_t w) {
    const StateWord sw = StateWord::unpack(w);
    return sw.kind != raw(ClientState::kFree) && sw.owner < kWorkerSlots &&
           ((worker_mask >> sw.owner) & 1);
  };
  uint32_t freed = 0;
  for (uint32_t i = 0; i < count_; ++i) {
    Atomic32& state = entries_[i].ctl.state;
    uint32_t w = state.load(kAcquire);
    while (in_mask(w)) {
      const bool active = StateWord::unpack(w).kind == raw(ClientState::kActive);
      if (state.compare_exchange_strong(w, StateWord::unpack(w).next(raw(ClientState::kFree)),
                                        kAcqRel)) {
        if (active) uncount(entries_[i]);  // a Claiming entry was not counted yet
        ++freed;
        break;
      }
    }
  }
  return freed;
}

}  // namespace srs::shm
