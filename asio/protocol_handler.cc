// Implementation of protocol_handler.h.
#include "asio/protocol_handler.h"

#include "asio/http_handler.h"

namespace iomb::asio {

std::unique_ptr<ProtocolHandler> make_handler(const ServerOptions& options,
                                              const http::HttpService* http) {
  if (options.protocol == Protocol::kHttp) {
    return std::make_unique<HttpHandler>(*http, options.max_pending_bytes);
  }
  return std::make_unique<EchoHandler>();
}

}  // namespace iomb::asio
