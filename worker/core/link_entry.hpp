// LinkEntryHolder: one outbound link's entry in the server-wide link table
// (shm::LinkTable): a forwarder's or an edge pull's, held for the link's
// whole life, across its connections, released by the destructor. A full
// table is logged and the link runs unlisted: every call is then a no-op.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/log.hpp"
#include "shm/links.hpp"

namespace srs::worker {

struct Services;

class LinkEntryHolder {
 public:
  // `what` names the link in the warning of a full table ("forward live/cam").
  LinkEntryHolder(Services& svc, shm::LinkKind kind, const base::ContextId& cid,
                  std::string_view url, uint32_t stream_slot, uint32_t stream_generation,
                  std::string_view what) noexcept;
  ~LinkEntryHolder();
  LinkEntryHolder(const LinkEntryHolder&) = delete;
  LinkEntryHolder& operator=(const LinkEntryHolder&) = delete;

  void set_state(shm::LinkState state, std::string_view peer_id = {}) noexcept;
  void set_url(std::string_view url) noexcept;
  void count_retry() noexcept;
  // Its traffic counters (null when unlisted), for SocketConn::count_also().
  shm::Counter64* bytes_in() noexcept;
  shm::Counter64* bytes_out() noexcept;

 private:
  shm::LinkTable* table_ = nullptr;  // null: unlisted
  shm::LinkRef ref_;
};

}  // namespace srs::worker
