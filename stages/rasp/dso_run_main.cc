// dso-run: runs a program under the RASP layers (launcher.h).
//   dso-run --policy FILE [--events FILE] [--agent-socket PATH]
//           [--deployment NAME] [--base DIR] [--user UID[:GID]|NAME]
//           [--preload LIB] [--pidfile FILE] [--protect PATH]...
//           [--hand-over DIR]... [--idmap-socket PATH]
//           -- PROGRAM ARGS...
#include "CLI/CLI.hpp"
#include "stages/rasp/internal/launcher.h"

int main(int argc, char** argv) {
  dso::LaunchOptions options;
  CLI::App app{"dso-run: runs a program under runtime self-protection"};
  app.add_option("--policy", options.policy_path, "RASP policy (YAML)")
      ->required();
  app.add_option("--events", options.events_path,
                 "append events to this JSON-lines log");
  app.add_option("--agent-socket", options.agent_socket,
                 "also send events to the agent's datagram socket");
  app.add_option("--deployment", options.deployment,
                 "the deployment's name in events");
  app.add_option("--base", options.base_dir,
                 "directory relative policy paths start from (default: .)");
  app.add_option("--user", options.user, "run as UID[:GID] or user name");
  app.add_option("--preload", options.preload,
                 "the monitor library (default: libdso_rasp.so beside "
                 "dso-run or in ../lib/dso)");
  app.add_option("--pidfile", options.pidfile, "write dso-run's pid here");
  app.add_option("--protect", options.protect,
                 "a Unix socket, or a directory of them, the program may "
                 "never reach (the agent's; repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--hand-over", options.hand_over,
                 "a directory of yours the program's --user may write "
                 "(repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--idmap-socket", options.idmap_socket,
                 "the id-mapping service dso-idmap, which maps --user when "
                 "this process runs under no_new_privs (default: " +
                     std::string(dso::kIdMapSocket) + ")");
  app.add_option("argv", options.argv, "the program and its arguments");
  app.prefix_command(false);
  // Everything after the first "--" is the program's, taken here: CLI11
  // would end a repeatable option's values at "--" and then read the
  // program's own options as dso-run's.
  int ours = argc;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--") {
      ours = i;
      break;
    }
  }
  try {
    app.parse(ours, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  for (int i = ours + 1; i < argc; ++i) options.argv.push_back(argv[i]);
  return dso::RunUnderRasp(options);
}
