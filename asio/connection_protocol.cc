// Implementation of connection_protocol.h.
#include "asio/connection_protocol.h"

#include "asio/http_protocol.h"

namespace iomb::asio {

std::unique_ptr<ConnectionProtocol> make_protocol(const ServerOptions& options,
                                                  const http::HttpService* http) {
  if (options.protocol == Protocol::kHttp) {
    return std::make_unique<HttpProtocol>(*http, options.max_pending_bytes);
  }
  return std::make_unique<EchoProtocol>();
}

}  // namespace iomb::asio
