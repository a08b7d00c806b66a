// Implementation of unit_options.h.
#include "common/unit_options.h"

#include <CLI/CLI.hpp>
#include <stdexcept>

#include "common/units.h"

namespace iomb {

void add_size_option(CLI::App& app, const std::string& name, uint64_t& target,
                     const std::string& help) {
  app.add_option_function<std::string>(
         name,
         [&target, name](const std::string& text) {
           try {
             target = parse_size(text);
           } catch (const std::invalid_argument& e) {
             throw CLI::ValidationError(name, e.what());
           }
         },
         help)
      ->type_name("SIZE")
      ->default_str(format_size(target));
}

void add_duration_option(CLI::App& app, const std::string& name, std::chrono::nanoseconds& target,
                         const std::string& help) {
  app.add_option_function<std::string>(
         name,
         [&target, name](const std::string& text) {
           try {
             target = parse_duration(text);
           } catch (const std::invalid_argument& e) {
             throw CLI::ValidationError(name, e.what());
           }
         },
         help)
      ->type_name("DURATION")
      ->default_str(format_duration(target));
}

}  // namespace iomb
