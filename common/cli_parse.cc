// Implementation of cli_parse.h.
#include "common/cli_parse.h"

namespace iomb {

int parse_command_line(CLI::App& app, int argc, char** argv,
                       const std::function<void()>& validate) {
  try {
    app.parse(argc, argv);
    if (validate) validate();
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;  // CLI11 would return its own code (e.g. 105); the contract says 2
  }
  return -1;
}

}  // namespace iomb
