// A connection's entry in the client table (see client_entry.hpp).
#include "worker/core/client_entry.hpp"

#include <ctime>

#include "base/clock.hpp"
#include "base/log.hpp"
#include "worker/core/services.hpp"

namespace srs::worker {

std::string_view peer_address_ip(std::string_view peer) noexcept {
  if (!peer.empty() && peer.front() == '[') {
    const size_t close = peer.find(']');
    return close == std::string_view::npos ? peer : peer.substr(1, close - 1);
  }
  const size_t colon = peer.rfind(':');
  if (colon == std::string_view::npos || peer.find(':') != colon) return peer;  // bare IPv6
  return peer.substr(0, colon);
}

void ClientEntryHolder::claim(Services& svc, shm::ClientType type, const base::ContextId& cid,
                              std::string_view peer) noexcept {
  release();
  shm::ClientTable& table = svc.control->clients();
  const shm::Owner owner{svc.slot, svc.pid};
  std::string_view ip = peer_address_ip(peer);
  if (ip.size() >= 4 * shm::kIpWords) ip = ip.substr(0, 4 * shm::kIpWords - 1);
  base::Result<shm::ClientRef> ref =
      table.claim(owner, type, cid, ip, static_cast<uint32_t>(std::time(nullptr)));
  if (!ref.is_ok()) {
    // One line, then at most one every 10 s with the count: a full table
    // under a flood of connections must not flood the log too.
    static int64_t last_ms = 0;
    static uint64_t unlisted = 0;
    ++unlisted;
    const int64_t now = base::mono_ms();
    if (last_ms == 0 || now - last_ms >= 10000) {
      LOG_WARN(
          "client %.*s is served unlisted (the API will not show it): %s; %llu unlisted "
          "since the last such line",
          int(peer.size()), peer.data(), ref.status().to_string().c_str(),
          (unsigned long long)unlisted);
      last_ms = now;
      unlisted = 0;
    }
    return;
  }
  table_ = &table;
  ref_ = *ref;
  in_ = &table.bytes_in(ref_);
  out_ = &table.bytes_out(ref_);
}

void ClientEntryHolder::describe(shm::ClientType type, uint32_t stream_slot,
                                 uint32_t stream_generation, std::string_view key) noexcept {
  if (table_ == nullptr) return;
  if (base::Status s = table_->set_stream(ref_, type, stream_slot, stream_generation, key);
      !s.is_ok()) {
    LOG_WARN("client entry %u: describing it as %s failed: %s", ref_.index,
             shm::client_type_name(type), s.to_string().c_str());
  }
}

bool ClientEntryHolder::kicked() const noexcept {
  return table_ != nullptr && table_->kicked(ref_);
}

void ClientEntryHolder::flush_traffic() noexcept {
  if (in_ != nullptr && pending_in_ != 0) in_->add(pending_in_);
  if (out_ != nullptr && pending_out_ != 0) out_->add(pending_out_);
  pending_in_ = pending_out_ = 0;
}

void ClientEntryHolder::release() noexcept {
  flush_traffic();
  if (table_ == nullptr) return;
  if (base::Status s = table_->release(ref_); !s.is_ok()) {
    LOG_WARN("client entry %u: release failed: %s", ref_.index, s.to_string().c_str());
  }
  table_ = nullptr;
  in_ = out_ = nullptr;
}

}  // namespace srs::worker
