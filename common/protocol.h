// The application protocol a server speaks and a load client drives (DESIGN §3.4). A plain
// enum and its name; any thread.
#pragma once

namespace iomb {

enum class Protocol { kEcho, kHttp };

// "echo" or "http", as on the command line and in benchmark names.
const char* protocol_name(Protocol p);

}  // namespace iomb
