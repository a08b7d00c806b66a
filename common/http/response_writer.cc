// Implementation of response_writer.h.
#include "common/http/response_writer.h"

#include <charconv>

#include "common/http/http_date.h"

namespace iomb::http {

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Content Too Large";
    case 426:
      return "Upgrade Required";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

void append_response_head(std::string& out, const ResponseHead& head, size_t body_length) {
  char num[24];
  out.append("HTTP/1.1 ");
  auto status_end = std::to_chars(num, num + sizeof num, head.status).ptr;
  out.append(num, status_end);
  out.push_back(' ');
  out.append(reason_phrase(head.status));
  out.append("\r\nServer: iomb\r\nDate: ");
  out.append(http_date_now());
  out.append("\r\nContent-Type: ");
  out.append(head.content_type);
  out.append("\r\nContent-Length: ");
  auto length_end = std::to_chars(num, num + sizeof num, body_length).ptr;
  out.append(num, length_end);
  out.append("\r\n");
  if (head.connection == ConnectionHeader::kClose) out.append("Connection: close\r\n");
  if (head.connection == ConnectionHeader::kKeepAlive) out.append("Connection: keep-alive\r\n");
  out.append(head.extra_headers);
  out.append("\r\n");
}

void append_response(std::string& out, const ResponseHead& head, std::string_view body) {
  append_response_head(out, head, body.size());
  out.append(body);
}

}  // namespace iomb::http
