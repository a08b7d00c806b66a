// Implementation of connection.h.
#include "aio/connection.h"

namespace iomb::aio {

void queue_clear(Connection& c, BufferRing& buffers) {
  while (!c.queue_empty()) queue_pop(c, buffers);
  c.pending_bytes = 0;
}

}  // namespace iomb::aio
