// ClientEntryHolder: one connection's entry in the server-wide client table
// (shm::ClientTable), held from accept to close.
//
// claim() when the connection is accepted (type unknown until the first
// command or request says more), describe() when it plays or publishes,
// add_in()/add_out() where the worker counters are counted, released by the
// destructor. A full table is logged and the connection is served unlisted:
// every call is then a no-op.
//
// The traffic is counted here and added to the shared entry by flush_traffic():
// once a second for every connection (Connections), at release, and at once
// past kFlushAtBytes. A player's write then touches no shared line of its
// own: with 400 players of one stream, a frame would otherwise pull 400 cold
// client entries into the cache. The API's byte figures lag by at most a
// second; the worker's totals (WorkerCounters) are counted per write.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/log.hpp"
#include "shm/clients.hpp"

namespace srs::worker {

struct Services;

class ClientEntryHolder {
 public:
  ClientEntryHolder() = default;
  ~ClientEntryHolder() { release(); }
  ClientEntryHolder(const ClientEntryHolder&) = delete;
  ClientEntryHolder& operator=(const ClientEntryHolder&) = delete;

  // `peer` is "ip:port" or "[ipv6]:port" (the port is dropped).
  void claim(Services& svc, shm::ClientType type, const base::ContextId& cid,
             std::string_view peer) noexcept;
  // What the connection does now; `key` is "vhost/app/stream" ("" for none).
  void describe(shm::ClientType type, uint32_t stream_slot, uint32_t stream_generation,
                std::string_view key) noexcept;
  // Flushed long before a Counter64 add could reach 2^31 (counter.hpp).
  static constexpr uint64_t kFlushAtBytes = uint64_t{1} << 30;

  void add_in(uint64_t n) noexcept {
    pending_in_ += n;
    if (pending_in_ >= kFlushAtBytes) flush_traffic();
  }
  void add_out(uint64_t n) noexcept {
    pending_out_ += n;
    if (pending_out_ >= kFlushAtBytes) flush_traffic();
  }
  // Adds what was counted since the last call to the shared entry.
  void flush_traffic() noexcept;
  // A kick through the API hit this entry (ClientTable::kicked).
  bool kicked() const noexcept;
  bool listed() const noexcept { return table_ != nullptr; }
  void release() noexcept;

 private:
  shm::ClientTable* table_ = nullptr;
  shm::ClientRef ref_;
  shm::Counter64* in_ = nullptr;
  shm::Counter64* out_ = nullptr;
  uint64_t pending_in_ = 0, pending_out_ = 0;
};

// "1.2.3.4:5678" -> "1.2.3.4", "[::1]:5678" -> "::1"; anything else as is.
std::string_view peer_address_ip(std::string_view peer) noexcept;

}  // namespace srs::worker
