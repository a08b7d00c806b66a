// Implementation of cell_groups.h.
#include "harness/report/cell_groups.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <tuple>

#include "common/units.h"

namespace iomb::report {
namespace {

template <typename T>
void add_unique(std::vector<T>& list, const T& value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

std::string group_id(const result::BenchmarkName& k, bool open_loop) {
  std::string id = k.protocol + "_" + format_size(k.size) + "_d" + std::to_string(k.depth);
  if (open_loop) id += "_c" + std::to_string(k.connections) + "_open";
  for (char& c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') c = '-';
  }
  return id;
}

std::string group_title(const result::BenchmarkName& k, bool open_loop) {
  std::string title =
      k.protocol + ", " + format_size(k.size) + ", pipeline " + std::to_string(k.depth);
  if (open_loop) {
    title += ", " + std::to_string(k.connections) + " connections, open loop";
  } else {
    title += ", closed loop";
  }
  return title;
}

}  // namespace

const Cell* CellGroup::find(const std::string& model, int64_t conns,
                            std::optional<double> rate) const {
  for (const Cell* c : cells) {
    if (c->key.model_mode() == model && c->key.connections == conns && c->key.rate == rate) {
      return c;
    }
  }
  return nullptr;
}

bool CellGroup::model_skipped(const std::string& model, std::string* reason) const {
  bool any = false;
  for (const Cell* c : cells) {
    if (c->key.model_mode() != model) continue;
    if (!c->skipped) return false;
    any = true;
    if (reason->empty()) *reason = c->skip_reason;
  }
  return any;
}

std::string resolve_reference(const std::vector<Cell>& cells, const std::string& reference) {
  std::string first;
  for (const Cell& c : cells) {
    if (!result::matches_model(c.key, reference)) continue;
    if (c.key.model_mode() == reference) return reference;
    if (first.empty() || c.key.model_mode() < first) first = c.key.model_mode();
  }
  return first;
}

std::vector<CellGroup> group_cells(const std::vector<Cell>& cells,
                                   const std::string& reference_model) {
  using Id = std::tuple<bool, std::string, uint64_t, int64_t, int64_t>;
  std::map<Id, CellGroup> groups;
  for (const Cell& cell : cells) {
    const result::BenchmarkName& k = cell.key;
    const bool open = k.open_loop();
    CellGroup& g = groups[Id{open, k.protocol, k.size, k.depth, open ? k.connections : 0}];
    if (g.cells.empty()) {
      g.id = group_id(k, open);
      g.title = group_title(k, open);
      g.short_title = k.protocol + " " + format_size(k.size) + ", pipeline " +
                      std::to_string(k.depth) +
                      (open ? ", " + std::to_string(k.connections) + " conns" : "");
      g.open_loop = open;
      g.protocol = k.protocol;
      g.size = k.size;
      g.depth = k.depth;
      g.connections = open ? k.connections : 0;
    }
    g.cells.push_back(&cell);
    add_unique(g.models, k.model_mode());
    if (open) {
      add_unique(g.rates, *k.rate);
    } else if (!cell.skipped) {
      add_unique(g.connection_steps, k.connections);
    }
  }
  std::vector<CellGroup> out;
  for (auto& [id, g] : groups) {
    std::sort(g.models.begin(), g.models.end(), [&](const std::string& a, const std::string& b) {
      return std::make_tuple(a != reference_model, a) < std::make_tuple(b != reference_model, b);
    });
    std::sort(g.connection_steps.begin(), g.connection_steps.end());
    std::sort(g.rates.begin(), g.rates.end());
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace iomb::report
