// Implementation of connection_protocol.h.
#include "asio/connection_protocol.h"

#include <stdexcept>

namespace iomb::asio {

void check_protocol_supported(const ServerOptions& options) {
  if (options.protocol != Protocol::kEcho) {
    throw std::runtime_error(std::string("--protocol ") + protocol_name(options.protocol) +
                             " is not implemented in iomb-asio yet (echo only)");
  }
}

std::unique_ptr<ConnectionProtocol> make_protocol(const ServerOptions& /*options*/) {
  return std::make_unique<EchoProtocol>();
}

}  // namespace iomb::asio
