// Groups cells the way the report shows them: closed-loop cells by (protocol, size, depth), a
// table of models × connections; open-loop cells by (protocol, size, depth, connections), a
// table of models × offered rate. Also resolves the reference model. Pure; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/report/cell_stats.h"

namespace iomb::report {

struct CellGroup {
  std::string id;           // file-name safe: "echo_64B_d1", "echo_64B_d1_c100_open"
  std::string title;        // "echo, 64B, pipeline 1, closed loop"
  std::string short_title;  // "echo 64B, pipeline 1" (+ ", 100 conns" in open loop)
  bool open_loop = false;
  std::string protocol;
  uint64_t size = 0;
  int64_t depth = 1;
  int64_t connections = 0;  // open loop only

  std::vector<std::string> models;        // reference first, then by name
  std::vector<int64_t> connection_steps;  // closed loop: of the cells that ran or failed
  std::vector<double> rates;              // open loop
  std::vector<const Cell*> cells;

  // The cell of `model` at `connections` (closed loop) or `rate` (open loop), if any.
  const Cell* find(const std::string& model, int64_t connections,
                   std::optional<double> rate = std::nullopt) const;
  // Skipped cells of `model` in this group (the model never ran here).
  bool model_skipped(const std::string& model, std::string* reason) const;
};

// The model:mode the ratios compare to: `reference` itself when cells have it, the first
// mode of the model when `reference` is a bare model name, "" when no cell matches.
std::string resolve_reference(const std::vector<Cell>& cells, const std::string& reference);

// Closed-loop groups first, then open-loop ones; `cells` must outlive the groups.
std::vector<CellGroup> group_cells(const std::vector<Cell>& cells,
                                   const std::string& reference_model);

}  // namespace iomb::report
