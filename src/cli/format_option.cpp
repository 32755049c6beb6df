#include "format_option.h"

namespace ctxpack::cli {

void add_format_options(CLI::App& cmd, std::string& format, const std::vector<std::string>& formats,
                        const std::string& help) {
  // CLI11 runs option callbacks in the order the options were added, so
  // --format sees whether --json was given whatever the command line order.
  CLI::Option* json = cmd.add_flag_callback("--json", [&format] { format = "json"; }, "Same as --format json");
  cmd.add_option_function<std::string>(
         "--format",
         [&format, json](const std::string& value) {
           if (json->count() > 0 && value != "json") {
             throw CLI::ValidationError("--json", "conflicts with --format " + value);
           }
           format = value;
         },
         help)
      ->check(CLI::IsMember(formats));
}

}  // namespace ctxpack::cli
