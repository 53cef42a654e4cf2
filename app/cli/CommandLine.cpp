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

// Synopses as --help prints them (the man page is checked against this text by a test).
const CommandEntry kCommands[] = {
    {"gpus", gpusCommand,
     "gpus [--json] [--watch [-n SECONDS]]\n"
     "      the host's GPUs: index, UUID, name, memory, utilisation, temperature; and the\n"
     "      engine's CDI devices (nvidia.com/gpu=0, ...) with the spec file defining each;\n"
     "      --watch redraws the table (owners named) every SECONDS (2) on a terminal until\n"
     "      Ctrl+C, and without one prints one table per interval\n"},
    {"images", imagesCommand,
     "images [--json]\n"
     "      the engine's local images: repo:tag, id, size, the CUDA each needs, created\n"},
    {"pull", pullCommand,
     "pull IMAGE\n"
     "      pull an image with the login docker (or Podman) keeps for its registry: progress\n"
     "      per layer on a terminal, one line per layer step otherwise\n"},
    {"login", loginCommand,
     "login [-u|--username USER] [--password-stdin] [SERVER]\n"
     "      check a registry login with the engine and store it as docker login does: through\n"
     "      the credential helper config.json names, else in config.json (unencrypted);\n"
     "      Docker Hub without SERVER; for nvcr.io the user is $oauthtoken, the password an\n"
     "      NGC API key\n"},
    {"logout", logoutCommand,
     "logout [SERVER]\n"
     "      remove the stored login for a registry (Docker Hub without SERVER)\n"},
    {"run", runCommand,
     "run --preset NAME|FILE [-d|--detach] [-i|--interactive] [-t|--tty]\n"
     "     [-p|--publish PORT]... [--wait [--timeout DURATION]]\n"
     "      launch a preset like docker run: output to stdout and stderr, exit code the\n"
     "      container's; --detach prints the container's id and leaves it running;\n"
     "      --publish adds a published port to the preset's own, as docker run -p takes\n"
     "      it (8888, 127.0.0.1::8888, 127.0.0.1:8000-8010:8000-8010, 53/udp); -i and -t\n"
     "      as docker run takes them: stdin to the container, a terminal (this one raw until\n"
     "      it ends); --wait: a preset of free GPUs waits until enough are free (one line\n"
     "      on stderr says for what and who holds them), --timeout gives up (exit 125)\n"},
    {"exec", execCommand,
     "exec [-i|--interactive] [-t|--tty] [-u|--user USER] [-w|--workdir DIR]\n"
     "     [-e|--env KEY=VALUE]... CONTAINER COMMAND [ARG...]\n"
     "      run a command in a running container like docker exec: -i passes stdin on,\n"
     "      -t gives it a terminal (this one goes raw until it ends); exit code the\n"
     "      command's (126 or 127 when it cannot be run, as docker exec)\n"},
    {"swarm", swarmCommand,
     "swarm nodes [--json]\n"
     "      on a swarm manager: the nodes, their NVIDIA-GPU resources and the tasks holding them\n"
     "  swarm run --preset NAME|FILE [--replicas N] [-d|--detach]\n"
     "      the launch as a swarm service whose tasks reserve the preset's GPU count: output\n"
     "      to stdout and stderr, exit code the first non-zero task's; the service is removed\n"
     "      afterwards unless --detach, which prints its id\n"},
    {"preset", presetCommand,
     "preset list\n"
     "      the saved presets with their image and GPUs\n"
     "  preset show NAME|FILE [--format "
     "json|docker-run|podman-run|python|compose|kubernetes|kubernetes-dra]\n"
     "      a preset as its file (json, the default), a docker run line, a podman run line\n"
     "      (GPUs as CDI device names), a Python script, a Compose file or a Kubernetes Job\n"
     "  preset import FILE [--name NAME]\n"
     "      copy a preset file into the preset directory, optionally under a new name\n"
     "  preset export NAME FILE\n"
     "      write a preset to FILE\n"
     "  preset delete NAME\n"
     "  preset rename OLD NEW\n"},
    {"ps", psCommand,
     "ps [-a|--all] [--json]\n"
     "      the engine's running containers (--all: stopped ones too) with the GPUs each\n"
     "      holds (index and UUID) and the preset that launched it; JSON entries\n"
     "      {id, name, image, state, status, exitCode, createdAt, engine, preset,\n"
     "      gpus: [{index, uuid}], gpuRequest}\n"},
    {"logs", logsCommand,
     "logs [-f|--follow] [-n|--tail N] CONTAINER\n"
     "      the container's output: stdout to stdout, stderr to stderr, byte for byte\n"},
    {"stop", stopCommand,
     "stop [-t|--time SECONDS] CONTAINER...\n"
     "      stop containers (SIGTERM, then SIGKILL after SECONDS, 10 by default)\n"},
    {"kill", killCommand,
     "kill [-s|--signal SIGNAL] CONTAINER...\n"
     "      send containers SIGKILL (or SIGNAL)\n"},
    {"rm", rmCommand,
     "rm [-f|--force] CONTAINER...\n"
     "      remove containers; --force also running ones. stop, kill and rm print each\n"
     "      container when done; a missing one is one line on stderr and exit code 1\n"},
    {"engines", enginesCommand,
     "engines [--json]\n"
     "      the engines GPU Deck knows (the default, docker contexts, Podman's saved\n"
     "      connections, DOCKER_HOST, --host):\n"
     "      state, kind and version, and the GPU count of each one's host\n"},
    {"doctor", doctorCommand,
     "doctor [--json]\n"
     "      the GPU readiness checklist: engine, socket access, driver, GPU requests,\n"
     "      nvidia runtime, CDI, a swarm node's GPUs; each failing check says how to fix it\n"},
};

// Qt's own GUI options that take a value; their value is not a command name.
bool takesValue(const char *arg)
{
    static const char *const withValue[] = {"--host",         "-H",          "-platform",
                                            "-style",         "-display",    "-qwindowgeometry",
                                            "-platformtheme", "-stylesheet", "-session",
                                            "-name",          "-title",      "-platformpluginpath"};
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
    QString text = QStringLiteral("Usage: gpudeck [-H|--host URL] [COMMAND [OPTIONS]]\n"
                                  "GPU Deck: point-and-click GPU containers on a Docker engine.\n"
                                  "Without a command, the window opens.\n\nCommands:\n");
    for (const CommandEntry &entry : kCommands)
        text += QStringLiteral("  ") + QLatin1String(entry.synopsis);
    text += QStringLiteral(
        "\nGlobal options:\n"
        "  -H, --host URL the engine (before or after the command):\n"
        "                 unix:///path/to/docker.sock, tcp://HOST:PORT (TLS as below), or\n"
        "                 ssh://[USER@]HOST[:PORT][/path/to/docker.sock] through the system ssh\n"
        "                 client and your ~/.ssh/config (keys or agent; never a password)\n"
        "  -h, --help     show this help\n"
        "  -v, --version  show the version\n"
        "\nEnvironment:\n"
        "  DOCKER_HOST         the engine when --host is not given\n"
        "  CONTAINER_HOST      a Podman engine (unix:// or ssh://) when DOCKER_HOST is not set\n"
        "  DOCKER_CONTEXT      the docker context to use when DOCKER_HOST is not set\n"
        "  DOCKER_CONFIG       where the docker CLI's config.json and contexts are (~/.docker)\n"
        "  REGISTRY_AUTH_FILE  Podman's registry logins (else $XDG_RUNTIME_DIR/containers/\n"
        "                      auth.json, ~/.config/containers/auth.json, then Docker's)\n"
        "  CONTAINERS_CONF     the containers.conf with Podman's saved connections (default:\n"
        "                      /etc/containers/containers.conf, then the user's)\n"
        "  PODMAN_CONNECTIONS_CONF  Podman 5's saved connections (default\n"
        "                      ~/.config/containers/podman-connections.json)\n"
        "  DOCKER_TLS_VERIFY   when set, tcp:// uses TLS and verifies the engine against ca.pem\n"
        "  DOCKER_TLS          when set, tcp:// uses TLS without verifying the engine\n"
        "  DOCKER_CERT_PATH    ca.pem, cert.pem and key.pem for TLS (default: DOCKER_CONFIG)\n"
        "  XDG_RUNTIME_DIR     where a rootless engine's docker.sock (then podman/podman.sock)\n"
        "                      is looked for\n"
        "  GPUDECK_PRESET_DIR  the preset directory (default ~/.config/gpudeck/presets)\n"
        "  GPUDECK_GPU_PROBE_IMAGE  the image that reads a tcp:// engine's GPUs (default: its\n"
        "                      smallest local CUDA image)\n"
        "  Without --host, DOCKER_HOST or CONTAINER_HOST: the current docker context, then the\n"
        "  rootless sockets, then unix:///var/run/docker.sock, or /run/podman/podman.sock when\n"
        "  only Podman's exists. On Podman, GPUs are CDI devices (nvidia.com/gpu=0, ...).\n"
        "\nExit codes: 0 ok; for run, the container's own code, or 125 when the launch failed;\n"
        "for exec, the command's own code, or 1 when it could not be run at all;\n"
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

QString takeHost(QStringList &args)
{
    QString host;
    for (qsizetype i = 0; i < args.size(); ++i) {
        if ((args.at(i) == QLatin1String("--host") || args.at(i) == QLatin1String("-H"))
            && i + 1 < args.size()) {
            host = args.at(i + 1);
            args.remove(i, 2);
            --i;
        } else if (args.at(i).startsWith(QLatin1String("--host="))) {
            host = args.at(i).mid(7);
            args.removeAt(i);
            --i;
        }
    }
    return host;
}

int run(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    // The window's names: QSettings (engines added in the window) is the same file for both.
    QCoreApplication::setOrganizationName(QStringLiteral("gpudeck"));
    QCoreApplication::setApplicationName(QStringLiteral("gpudeck"));
    QCoreApplication::setApplicationVersion(QStringLiteral(GPUDECK_VERSION));

    CliContext ctx;
    QStringList args = QCoreApplication::arguments().mid(1);
    // --host before or after the command.
    ctx.host = takeHost(args);
    // Global options may come before the command.
    while (!args.isEmpty() && args.first().startsWith(QLatin1Char('-'))) {
        const QString option = args.takeFirst();
        if (option == QLatin1String("--host") || option == QLatin1String("-H")) {
            // takeHost() left it: nothing follows it.
            return ctx.usage(
                QStringLiteral("%1 needs a URL such as unix:///var/run/docker.sock.").arg(option));
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
    const int code = command->run(ctx, args);
    ctx.out.flush();
    ctx.err.flush();
    return code;
}

} // namespace CommandLine
