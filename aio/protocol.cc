// Implementation of protocol.h (protocol selection).
#include "aio/protocol.h"

namespace iomb::aio {

std::unique_ptr<StreamProtocol> make_protocol(const ServerOptions& options) {
  if (options.protocol == iomb::Protocol::kEcho) return std::make_unique<EchoProtocol>();
  return nullptr;  // HTTP: the loop drives an HttpCodec per slot (ring_loop_http.cc)
}

}  // namespace iomb::aio
