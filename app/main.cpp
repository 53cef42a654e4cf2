// gpudeck: with a subcommand it runs headless (QCoreApplication, no display needed);
// without one it opens the window.
#include "cli/CommandLine.h"
#include "window/GuiEntry.h"

int main(int argc, char *argv[])
{
    if (CommandLine::isHeadless(argc, argv))
        return CommandLine::run(argc, argv);
    return runGui(argc, argv);
}
