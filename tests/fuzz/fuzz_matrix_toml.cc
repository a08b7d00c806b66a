// Fuzz target: the matrix reader (`iomb matrix FILE.toml`, harness/matrix/matrix_spec.h):
// toml11's parser and iomb's validation of every table and value. Bad input must end in
// std::invalid_argument naming the problem (or toml11's own exception), never a crash, a
// sanitizer report or another exception type escaping.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "harness/matrix/matrix_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    iomb::matrix::MatrixSpec spec = iomb::matrix::parse_matrix_toml(text, "fuzz.toml");
    iomb::matrix::override_protocols(spec, {"echo"});
  } catch (const std::exception&) {
    // A refusal with a message: what a user sees.
  }
  return 0;
}
