// Implementation of protocol.h (protocol selection).
#include "aio/protocol.h"

#include <stdexcept>

namespace iomb::aio {

std::unique_ptr<StreamProtocol> make_protocol(const ServerOptions& options) {
  if (options.protocol == iomb::Protocol::kEcho) return std::make_unique<EchoProtocol>();
  throw std::runtime_error("--protocol http is not implemented by iomb-aio yet");
}

}  // namespace iomb::aio
