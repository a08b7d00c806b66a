// The report's content, format-neutral: context, notes, one section per cell group with its
// tables and plots, and the skipped/failed models. summary_markdown and html_page render it.
// Pure; any thread.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "harness/report/cell_groups.h"
#include "harness/report/plot_spec.h"
#include "harness/report/result_loader.h"

namespace iomb::report {

struct TableCell {
  std::string text;
  bool flagged = false;  // saturated, client-bound, failed, skipped: shown highlighted
};

struct Table {
  std::string caption;
  std::vector<std::string> header;
  std::vector<std::vector<TableCell>> rows;
  bool notes_column = false;  // the last column is free text (flags, reasons), left-aligned
};

struct PlotRef {
  std::string stem;  // <stem>.svg / .png / .gp / .dat in the output directory
  std::string title;
};

struct Section {
  std::string id;
  std::string title;
  std::vector<Table> tables;
  std::vector<PlotRef> plots;  // empty when plots were not rendered
};

struct Document {
  std::string title;
  std::vector<std::pair<std::string, std::string>> context;  // label, value
  std::vector<std::string> notes;                            // reference, legend, plot status
  std::vector<std::string> warnings;                         // from loading
  std::vector<Section> sections;
  Table skipped;  // models that did not run or whose every repetition failed
};

struct DocumentInput {
  std::string title;
  const LoadedResults* results = nullptr;
  const std::vector<Cell>* cells = nullptr;
  const std::vector<CellGroup>* groups = nullptr;
  const std::vector<PlotSpec>* plots = nullptr;  // rendered ones only
  std::string requested_reference;
  std::string reference;  // resolved; "" when absent from the results
  std::string plot_note;  // why plots are missing, if they are
};

Document build_document(const DocumentInput& in);

}  // namespace iomb::report
