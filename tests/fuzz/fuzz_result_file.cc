// Fuzz target: the result-file loader (harness/result/result_file.h) that `iomb report`,
// `iomb compare` and the matrix read, and the entry reader (ResultEntry::from_json) behind
// them: any JSON document must be accepted or refused with ResultFileError, and every entry read
// and written back, never a crash or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "harness/result/result_entry.h"
#include "harness/result/result_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const nlohmann::json json = nlohmann::json::parse(data, data + size, nullptr, false);
  if (json.is_discarded()) return 0;  // not JSON: the loader says so before it gets here
  try {
    const iomb::result::ResultDocument doc = iomb::result::result_document(json, "fuzz.json");
    // Every entry through the one reader, and back through the one writer.
    for (const nlohmann::json& e : doc.benchmarks) {
      if (auto entry = iomb::result::ResultEntry::from_json(e)) (void)entry->to_json().dump();
    }
  } catch (const iomb::result::ResultFileError&) {
  }
  return 0;
}
