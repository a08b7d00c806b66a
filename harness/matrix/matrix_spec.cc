// Implementation of matrix_spec.h with toml11 (Debian libtoml11-dev, header-only).
#include "harness/matrix/matrix_spec.h"

#include <algorithm>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <toml.hpp>

#include "common/units.h"

namespace iomb::matrix {
namespace {

// Offset of the first byte that is not well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing past U+10FFFF), or npos.
size_t first_invalid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
    if (b < 0x80) {
      ++i;
      continue;
    } else if (b >= 0xC2 && b <= 0xDF) {
      n = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
      n = 2;
      if (b == 0xE0) lo = 0xA0;
      if (b == 0xED) hi = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      n = 3;
      if (b == 0xF0) lo = 0x90;
      if (b == 0xF4) hi = 0x8F;
    } else {
      return i;
    }
    if (i + n >= s.size()) return i;  // truncated
    for (size_t k = 1; k <= n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if (c < (k == 1 ? lo : 0x80) || c > (k == 1 ? hi : 0xBF)) return i;
    }
    i += n + 1;
  }
  return std::string_view::npos;
}

using Table = toml::value;

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw std::invalid_argument(where + ": " + what);
}

void check_keys(const Table& t, const std::set<std::string>& allowed, const std::string& where) {
  for (const auto& [key, value] : t.as_table()) {
    if (!allowed.count(key)) fail(where, "unknown key \"" + key + "\"");
  }
}

const toml::value* lookup(const Table& t, const std::string& key) {
  const auto& table = t.as_table();
  auto it = table.find(key);
  return it == table.end() ? nullptr : &it->second;
}

std::string get_string(const toml::value& v, const std::string& where) {
  if (!v.is_string()) fail(where, "must be a string");
  return v.as_string().str;
}

int64_t get_int(const toml::value& v, const std::string& where, int64_t lo, int64_t hi) {
  if (!v.is_integer()) fail(where, "must be an integer");
  int64_t x = v.as_integer();
  if (x < lo || x > hi) {
    fail(where, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  }
  return x;
}

// A value or a list of values, each converted by `one`.
template <typename T, typename F>
std::vector<T> list_of(const toml::value& v, const std::string& where, F one) {
  std::vector<T> out;
  if (v.is_array()) {
    for (size_t i = 0; i < v.as_array().size(); ++i) {
      out.push_back(one(v.as_array()[i], where + "[" + std::to_string(i) + "]"));
    }
  } else {
    out.push_back(one(v, where));
  }
  if (out.empty()) fail(where, "must not be empty");
  return out;
}

std::vector<std::string> strings(const toml::value& v, const std::string& where) {
  return list_of<std::string>(v, where, get_string);
}

uint64_t size_value(const toml::value& v, const std::string& where) {
  if (v.is_integer()) return static_cast<uint64_t>(get_int(v, where, 1, int64_t{1} << 30));
  uint64_t s = 0;
  try {
    s = parse_size(get_string(v, where));
  } catch (const std::invalid_argument& e) {
    fail(where, e.what());
  }
  if (s == 0) fail(where, "must be at least 1 byte");
  return s;
}

std::chrono::nanoseconds duration_value(const toml::value& v, const std::string& where) {
  std::chrono::nanoseconds d{0};
  try {
    d = parse_duration(get_string(v, where));
  } catch (const std::invalid_argument& e) {
    fail(where, e.what());
  }
  if (d < std::chrono::milliseconds(1)) fail(where, "must be at least 1ms");
  return d;
}

std::vector<std::string> protocols(const toml::value& v, const std::string& where) {
  auto out = strings(v, where);
  for (const auto& p : out) {
    if (p != "echo" && p != "http") fail(where, "protocol \"" + p + "\" is not echo or http");
  }
  return out;
}

// The defaults a sweep inherits from the top level.
struct Defaults {
  std::vector<std::string> protocols{"echo"};
  std::vector<uint64_t> sizes{64};
  std::vector<int> pipelines{1};
  std::vector<int> connections{1, 100, 1000};
};

std::vector<int> ints(const toml::value& v, const std::string& where, int lo, int hi) {
  return list_of<int>(v, where, [lo, hi](const toml::value& x, const std::string& w) {
    return static_cast<int>(get_int(x, w, lo, hi));
  });
}

void read_defaults(const Table& t, const std::string& where, Defaults& d) {
  if (auto* v = lookup(t, "protocols")) d.protocols = protocols(*v, where + ".protocols");
  if (auto* v = lookup(t, "sizes")) d.sizes = list_of<uint64_t>(*v, where + ".sizes", size_value);
  if (auto* v = lookup(t, "pipeline")) d.pipelines = ints(*v, where + ".pipeline", 1, 4096);
  if (auto* v = lookup(t, "connections"))
    d.connections = ints(*v, where + ".connections", 1, 100000);
}

void read_timing(const Table& t, const std::string& where,
                 std::optional<std::chrono::nanoseconds>& duration,
                 std::optional<std::chrono::nanoseconds>& warmup) {
  if (auto* v = lookup(t, "duration")) duration = duration_value(*v, where + ".duration");
  if (auto* v = lookup(t, "warmup")) warmup = duration_value(*v, where + ".warmup");
}

std::vector<std::string> server_filter(const Table& t, const std::string& where,
                                       const std::vector<ServerSpec>& servers) {
  std::vector<std::string> out;
  if (auto* v = lookup(t, "servers")) out = strings(*v, where + ".servers");
  for (const auto& f : out) {
    bool any = std::any_of(servers.begin(), servers.end(),
                           [&f](const ServerSpec& s) { return selects({f}, s); });
    if (!any) fail(where + ".servers", "\"" + f + "\" matches no [[server]]");
  }
  return out;
}

const toml::array* tables(const Table& root, const std::string& key) {
  const toml::value* v = lookup(root, key);
  if (v == nullptr) return nullptr;
  if (!v->is_array()) fail(key, "must be an array of tables ([[" + key + "]])");
  for (const auto& item : v->as_array()) {
    if (!item.is_table()) fail(key, "must be an array of tables ([[" + key + "]])");
  }
  return &v->as_array();
}

}  // namespace

std::string ServerSpec::model_name() const {
  std::string base = model.substr(model.rfind('/') == std::string::npos ? 0 : model.rfind('/') + 1);
  return base.rfind("iomb-", 0) == 0 ? base.substr(5) : base;
}

std::string ServerSpec::id() const {
  return model_name() + ":" + (mode.empty() ? "default" : mode);
}

bool selects(const std::vector<std::string>& filter, const ServerSpec& server) {
  if (filter.empty()) return true;
  return std::any_of(filter.begin(), filter.end(), [&server](const std::string& f) {
    return f == server.id() || f == server.model_name() || f == server.model;
  });
}

void override_protocols(MatrixSpec& spec, const std::vector<std::string>& protocols) {
  for (auto& s : spec.sweeps) s.protocols = protocols;
  for (auto& s : spec.open_loop) s.protocols = protocols;
}

MatrixSpec parse_matrix_toml(const std::string& text, const std::string& source) {
  // TOML is UTF-8. Checked here, before the parser: Debian's toml11 (3.7) reads past its buffer
  // on some invalid bytes inside a literal string (found by fuzz_matrix_toml).
  if (const size_t bad = first_invalid_utf8(text); bad != std::string_view::npos) {
    throw std::invalid_argument(source + ": not UTF-8 at byte " + std::to_string(bad) +
                                " (a TOML file must be UTF-8)");
  }
  Table root;
  try {
    std::istringstream in(text);
    root = toml::parse(in, source);
  } catch (const std::exception& e) {
    throw std::invalid_argument(e.what());
  }
  MatrixSpec spec;
  const std::string top = source;
  check_keys(
      root,
      {"name", "description", "repetitions", "duration", "warmup", "threads", "count_syscalls",
       "path", "protocols", "sizes", "pipeline", "connections", "server", "sweep", "open_loop"},
      top);
  if (auto* v = lookup(root, "name")) spec.name = get_string(*v, "name");
  if (auto* v = lookup(root, "description")) spec.description = get_string(*v, "description");
  if (auto* v = lookup(root, "repetitions")) {
    spec.repetitions = static_cast<int>(get_int(*v, "repetitions", 1, 100));
  }
  if (auto* v = lookup(root, "duration")) spec.duration = duration_value(*v, "duration");
  if (auto* v = lookup(root, "warmup")) spec.warmup = duration_value(*v, "warmup");
  if (auto* v = lookup(root, "threads"))
    spec.threads = static_cast<int>(get_int(*v, "threads", 1, 256));
  if (auto* v = lookup(root, "count_syscalls")) {
    if (!v->is_boolean()) fail("count_syscalls", "must be true or false");
    spec.count_syscalls = v->as_boolean();
  }
  if (auto* v = lookup(root, "path")) {
    spec.path = get_string(*v, "path");
    if (spec.path.empty() || spec.path[0] != '/') fail("path", "must start with '/'");
  }
  Defaults defaults;
  read_defaults(root, "top level", defaults);

  const toml::array* servers = tables(root, "server");
  if (servers == nullptr || servers->empty()) fail(top, "needs at least one [[server]]");
  std::set<std::string> ids;
  for (size_t i = 0; i < servers->size(); ++i) {
    const Table& t = (*servers)[i];
    const std::string where = "server[" + std::to_string(i) + "]";
    check_keys(t, {"model", "args", "mode", "client"}, where);
    ServerSpec s;
    const toml::value* model = lookup(t, "model");
    if (model == nullptr) fail(where, "needs model = \"bio\" (or a binary's path)");
    s.model = get_string(*model, where + ".model");
    if (s.model.empty()) fail(where + ".model", "must not be empty");
    if (auto* v = lookup(t, "args")) s.args = get_string(*v, where + ".args");
    if (auto* v = lookup(t, "mode")) s.mode = get_string(*v, where + ".mode");
    if (auto* v = lookup(t, "client")) s.client = get_string(*v, where + ".client");
    if (s.client != "iomb" && s.client != "wrk") {
      fail(where + ".client", "must be \"iomb\" or \"wrk\"");
    }
    if (s.mode.find_first_of("/: ") != std::string::npos) {
      fail(where + ".mode", "must not contain '/', ':' or spaces (it is part of benchmark names)");
    }
    if (!ids.insert(s.id()).second) {
      fail(where, "a second server named " + s.id() + "; give each a distinct mode");
    }
    spec.servers.push_back(std::move(s));
  }

  if (const toml::array* sweeps = tables(root, "sweep")) {
    for (size_t i = 0; i < sweeps->size(); ++i) {
      const Table& t = (*sweeps)[i];
      const std::string where = "sweep[" + std::to_string(i) + "]";
      check_keys(t,
                 {"servers", "protocols", "sizes", "pipeline", "connections", "duration", "warmup"},
                 where);
      Defaults d = defaults;
      read_defaults(t, where, d);
      ClosedSweep s{server_filter(t, where, spec.servers),
                    d.protocols,
                    d.sizes,
                    d.pipelines,
                    d.connections,
                    std::nullopt,
                    std::nullopt};
      read_timing(t, where, s.duration, s.warmup);
      spec.sweeps.push_back(std::move(s));
    }
  }

  if (const toml::array* open = tables(root, "open_loop")) {
    for (size_t i = 0; i < open->size(); ++i) {
      const Table& t = (*open)[i];
      const std::string where = "open_loop[" + std::to_string(i) + "]";
      check_keys(t,
                 {"servers", "protocols", "sizes", "connections", "capacity_connections",
                  "fractions", "rates", "rate_basis", "arrival", "duration", "warmup"},
                 where);
      OpenSweep s;
      s.servers = server_filter(t, where, spec.servers);
      Defaults d = defaults;
      read_defaults(t, where, d);  // connections read separately below (one value)
      s.protocols = d.protocols;
      s.sizes = d.sizes;
      if (auto* v = lookup(t, "connections")) {
        s.connections = static_cast<int>(get_int(*v, where + ".connections", 1, 100000));
      }
      s.capacity_connections = s.connections;
      if (auto* v = lookup(t, "capacity_connections")) {
        s.capacity_connections =
            static_cast<int>(get_int(*v, where + ".capacity_connections", 1, 100000));
      }
      const toml::value* fractions = lookup(t, "fractions");
      const toml::value* rates = lookup(t, "rates");
      if ((fractions == nullptr) == (rates == nullptr)) {
        fail(where, "needs either fractions = [0.5] (of each server's capacity) or rates = [1000]");
      }
      auto number = [](const toml::value& v) {
        return v.is_integer()    ? static_cast<double>(v.as_integer())
               : v.is_floating() ? v.as_floating()
                                 : -1.0;
      };
      if (fractions != nullptr) {
        s.fractions = list_of<double>(*fractions, where + ".fractions",
                                      [&number](const toml::value& v, const std::string& w) {
                                        double f = number(v);
                                        if (!(f > 0 && f <= 10))
                                          fail(w, "must be a number in (0, 10]");
                                        return f;
                                      });
      } else {
        s.rates = list_of<double>(*rates, where + ".rates",
                                  [&number](const toml::value& v, const std::string& w) {
                                    double r = number(v);
                                    if (!(r >= 1 && r <= 1e9))
                                      fail(w, "must be a number in [1, 1e9]");
                                    return r;
                                  });
      }
      if (auto* v = lookup(t, "rate_basis")) {
        s.rate_basis = get_string(*v, where + ".rate_basis");
        if (s.rate_basis != "each" && s.rate_basis != "slowest") {
          fail(where + ".rate_basis", "must be each or slowest");
        }
      }
      if (auto* v = lookup(t, "arrival")) {
        s.arrival = get_string(*v, where + ".arrival");
        if (s.arrival != "constant" && s.arrival != "poisson") {
          fail(where + ".arrival", "must be constant or poisson");
        }
      }
      read_timing(t, where, s.duration, s.warmup);
      spec.open_loop.push_back(std::move(s));
    }
  }
  // Without any [[sweep]], the top-level defaults make one, unless the matrix is only
  // fixed-rate open loop: those cells need no capacity, so no closed-loop cell either.
  const bool fixed_rates_only =
      !spec.open_loop.empty() && std::all_of(spec.open_loop.begin(), spec.open_loop.end(),
                                             [](const OpenSweep& o) { return !o.rates.empty(); });
  if (tables(root, "sweep") == nullptr && !fixed_rates_only) {
    spec.sweeps.push_back({{},
                           defaults.protocols,
                           defaults.sizes,
                           defaults.pipelines,
                           defaults.connections,
                           std::nullopt,
                           std::nullopt});
  }
  return spec;
}

}  // namespace iomb::matrix
