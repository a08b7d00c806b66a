// Implementation of protocol.h.
#include "common/protocol.h"

namespace iomb {

const char* protocol_name(Protocol p) { return p == Protocol::kEcho ? "echo" : "http"; }

}  // namespace iomb
