// Placeholder until the streams API lands in this session (see api_route.hpp).
#include "worker/api_route.hpp"

namespace srs::worker {

bool route_streams_api(Services&, const ApiRequest&, ApiReply*) { return false; }

}  // namespace srs::worker
