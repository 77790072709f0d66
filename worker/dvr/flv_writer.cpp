// FLV files for the DVR (see flv_writer.hpp).
#include "worker/dvr/flv_writer.hpp"

#include "base/bytes.hpp"

namespace srs::worker {

// The metadata's "duration" number (AMF0 2.2): the file's own, in seconds.
DvrWriter::Patch FlvWriter::final_patch() const {
  Patch p;
  p.offset = writer_.duration_field_offset();
  if (p.offset == 0) return {};
  p.bytes.resize(8);
  base::store_be_double(p.bytes.data(), double(writer_.duration_ms()) / 1000.0);
  return p;
}

}  // namespace srs::worker
