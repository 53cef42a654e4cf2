#include "CommandLine.h"

#include "CliContext.h"
#include "Commands.h"

#include <QCoreApplication>

#include <cstring>

namespace {

struct CommandEntry
{
    const char *name;
    int (*run)(CliContext &, const QStringList &);
    const char *synopsis;
};

const CommandEntry kCommands[] = {
    {"gpus", gpusCommand, "gpus [--json]                     host GPUs with live figures"},
    {"images", imagesCommand, "images [--json]                   the engine's local images"},
    {"run", runCommand, "run --preset NAME|FILE [--detach] launch like docker run"},
    {"preset", presetCommand,
     "preset list | show NAME [--format json|docker-run|python] | import FILE |\n"
     "         export NAME FILE | delete NAME | rename OLD NEW"},
    {"doctor", doctorCommand, "doctor [--json]                   the GPU readiness checklist"},
};

// Qt's own GUI options that take a value; their value is not a command name.
bool takesValue(const char *arg)
{
    static const char *const withValue[] = {"--host", "-platform", "-style", "-display",
                                            "-qwindowgeometry", "-platformtheme", "-stylesheet",
                                            "-session", "-name", "-title", "-platformpluginpath"};
    for (const char *option : withValue) {
        if (std::strcmp(arg, option) == 0)
            return true;
    }
    return false;
}

const CommandEntry *findCommand(const QString &name)
{
    for (const CommandEntry &entry : kCommands) {
        if (name == QLatin1String(entry.name))
            return &entry;
    }
    return nullptr;
}

QString helpText()
{
    QString text = QStringLiteral(
        "Usage: gpudeck [--host URL] [COMMAND [OPTIONS]]\n"
        "GPU Deck: point-and-click GPU containers on a Docker engine.\n"
        "Without a command, the window opens.\n\nCommands:\n");
    for (const CommandEntry &entry : kCommands)
        text += QStringLiteral("  gpudeck ") + QLatin1String(entry.synopsis) + QLatin1Char('\n');
    text += QStringLiteral(
        "\nGlobal options:\n"
        "  --host URL     the engine (unix:///path); default: DOCKER_HOST, the current docker\n"
        "                 context, the rootless socket, then unix:///var/run/docker.sock\n"
        "  -h, --help     show this help\n"
        "  -v, --version  show the version\n"
        "\nExit codes: 0 ok; for run, the container's own code, or 125 when the launch failed;\n"
        "2 for bad usage; 1 for other failures (doctor: a check failed).\n");
    return text;
}

} // namespace

namespace CommandLine {

bool isHeadless(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        const char *arg = argv[i];
        if (takesValue(arg)) {
            ++i;
            continue;
        }
        if (!std::strcmp(arg, "-h") || !std::strcmp(arg, "--help") || !std::strcmp(arg, "-v")
            || !std::strcmp(arg, "--version"))
            return true;
        if (arg[0] != '-')
            return true; // a command, or a typo that deserves a usage error rather than a window
    }
    return false;
}

int run(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("gpudeck"));
    QCoreApplication::setApplicationVersion(QStringLiteral(GPUDECK_VERSION));

    CliContext ctx;
    QStringList args = QCoreApplication::arguments().mid(1);
    // Global options may come before the command.
    while (!args.isEmpty() && args.first().startsWith(QLatin1Char('-'))) {
        const QString option = args.takeFirst();
        if (option == QLatin1String("--host")) {
            if (args.isEmpty())
                return ctx.usage(QStringLiteral("--host needs a URL such as unix:///var/run/docker.sock."));
            ctx.host = args.takeFirst();
        } else if (option.startsWith(QLatin1String("--host="))) {
            ctx.host = option.mid(7);
        } else if (option == QLatin1String("-h") || option == QLatin1String("--help")) {
            ctx.out << helpText();
            return 0;
        } else if (option == QLatin1String("-v") || option == QLatin1String("--version")) {
            ctx.out << "gpudeck " << GPUDECK_VERSION << Qt::endl;
            return 0;
        } else {
            return ctx.usage(QStringLiteral("unknown option %1.").arg(option));
        }
    }
    if (args.isEmpty())
        return ctx.usage(QStringLiteral("no command given."));
    const QString name = args.takeFirst();
    const CommandEntry *command = findCommand(name);
    if (!command)
        return ctx.usage(QStringLiteral("unknown command '%1'.").arg(name));
    // --host is also accepted after the command.
    for (int i = 0; i < args.size(); ++i) {
        if (args.at(i) == QLatin1String("--host") && i + 1 < args.size()) {
            ctx.host = args.at(i + 1);
            args.remove(i, 2);
            --i;
        } else if (args.at(i).startsWith(QLatin1String("--host="))) {
            ctx.host = args.at(i).mid(7);
            args.removeAt(i);
            --i;
        }
    }
    const int code = command->run(ctx, args);
    ctx.out.flush();
    ctx.err.flush();
    return code;
}

} // namespace CommandLine
