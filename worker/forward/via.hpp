// The path a published stream took through our servers, carried from hop to
// hop in connect's srs_via (proto/rtmp/client_session.hpp): the server ids,
// comma-separated. A forwarder sends the path it got plus its own server's
// id; a server that finds its own id on an incoming publish's path refuses
// it, which breaks a forward loop (A -> B -> A) at its second turn.
#pragma once

#include <string>
#include <string_view>

namespace srs::worker {

// True when `server_id` is one of the ids on `via`.
bool came_through(std::string_view via, std::string_view server_id);

// `via` with `server_id` appended.
std::string via_after(std::string_view via, std::string_view server_id);

}  // namespace srs::worker
