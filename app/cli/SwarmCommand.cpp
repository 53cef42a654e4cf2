#include "CliContext.h"
#include "Commands.h"
#include "EngineSession.h"
#include "ProcessIo.h"

#include "engine/DockerClient.h"
#include "engine/SwarmNodes.h"
#include "launch/SwarmLauncher.h"
#include "launch/SwarmService.h"
#include "presets/PresetStore.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSocketNotifier>

#include <cerrno>
#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

// `gpudeck swarm nodes [--json]` and `gpudeck swarm run --preset NAME|FILE [--replicas N] [--detach]`.
namespace {

constexpr int kFailed = 1;
constexpr int kLaunchFailed = 125;

QString shortId(const QString &id)
{
    return id.left(12);
}

int nodes(CliContext &ctx, const QStringList &args)
{
    bool json = false;
    for (const QString &a : args) {
        if (a == QLatin1String("--json"))
            json = true;
        else
            return ctx.usage(QStringLiteral("swarm nodes: unknown option \"%1\".").arg(a));
    }
    const Result<DockerClient *> client = EngineSession::connect(ctx);
    if (!client)
        return ctx.fail(client.error(), kFailed);
    Result<QList<SwarmNode>> read = QList<SwarmNode>();
    QObject context;
    CliContext wait;
    SwarmNodes::read(client.value(), &context, [&](const Result<QList<SwarmNode>> &answer) {
        read = answer;
        wait.finish(0);
    });
    wait.exec();
    if (!read)
        return ctx.fail(read.error(), kFailed);

    if (json) {
        QJsonArray out;
        for (const SwarmNode &node : read.value())
            out.append(node.toJson());
        ctx.out << QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("nodes"), out}})
                                         .toJson(QJsonDocument::Indented));
        return 0;
    }
    ctx.out << "NODE          HOSTNAME  STATE  AVAILABILITY  ROLE  NVIDIA-GPU\n";
    for (const SwarmNode &node : read.value()) {
        ctx.out << shortId(node.id) << "  " << node.hostname << "  " << node.state << "  "
                << node.availability << "  " << node.role << "  " << node.gpuCount() << '\n';
        for (const SwarmNode::Gpu &gpu : node.gpus) {
            ctx.out
                << "    " << gpu.uuid
                << (gpu.taskId.isEmpty()
                        ? QStringLiteral(" free")
                        : QStringLiteral(" held by %1 (%2)").arg(gpu.taskName, shortId(gpu.taskId)))
                << '\n';
        }
    }
    return 0;
}

int run(CliContext &ctx, const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption preset(QStringLiteral("preset"),
                                    QStringLiteral("the preset's name or file"),
                                    QStringLiteral("NAME|FILE"));
    const QCommandLineOption replicas(QStringLiteral("replicas"), QStringLiteral("how many tasks"),
                                      QStringLiteral("N"), QStringLiteral("1"));
    const QCommandLineOption detach({QStringLiteral("d"), QStringLiteral("detach")},
                                    QStringLiteral("print the service's id and leave it"));
    parser.addOption(preset);
    parser.addOption(replicas);
    parser.addOption(detach);
    if (!parser.parse(QStringList{QStringLiteral("swarm run")} + args))
        return ctx.usage(QStringLiteral("swarm run: ") + parser.errorText() + QLatin1Char('.'));
    if (!parser.isSet(preset))
        return ctx.usage(QStringLiteral("'swarm run' needs --preset NAME or --preset FILE."));
    if (!parser.positionalArguments().isEmpty())
        return ctx.usage(QStringLiteral("'swarm run' takes no arguments besides its options."));
    bool ok = false;
    const int count = parser.value(replicas).toInt(&ok);
    if (!ok || count < 1)
        return ctx.usage(
            QStringLiteral("swarm run: --replicas needs a whole number of at least 1, not '%1'.")
                .arg(parser.value(replicas)));

    const Result<Preset> loaded = PresetStore().resolve(parser.value(preset));
    if (!loaded)
        return ctx.fail(loaded.error(), kLaunchFailed);
    const LaunchSpec spec = loaded.value().spec();
    const QList<ValidationIssue> issues = spec.validate();
    if (!issues.isEmpty()) {
        return ctx.fail(
            Error(Error::Code::Validation,
                  QStringLiteral("Preset \"%1\" cannot be launched").arg(loaded.value().name()),
                  issues.first().message, QStringLiteral("fix it with the window or in its file")),
            kLaunchFailed);
    }
    const Result<DockerClient *> client = EngineSession::connect(ctx);
    if (!client)
        return ctx.fail(client.error(), kLaunchFailed);

    CliContext runCtx;
    SwarmLauncher launcher(client.value());
    QObject::connect(&launcher, &SwarmLauncher::note, &launcher,
                     [&runCtx](const QString &sentence) {
                         runCtx.err << "gpudeck: " << sentence << Qt::endl;
                     });
    QObject::connect(&launcher, &SwarmLauncher::output, &launcher,
                     [](StreamDemuxer::Channel channel, const QByteArray &data) {
                         ProcessIo::writeAll(channel == StreamDemuxer::Channel::Stderr
                                                 ? STDERR_FILENO
                                                 : STDOUT_FILENO,
                                             data);
                     });
    QObject::connect(&launcher, &SwarmLauncher::finished, &launcher, [&]() {
        if (parser.isSet(detach) && !launcher.error().isError())
            runCtx.out << launcher.serviceId() << Qt::endl;
        if (launcher.error().isError())
            runCtx.fail(launcher.error(), 0);
        runCtx.finish(launcher.exitCode().value_or(kLaunchFailed));
    });

    // Ctrl+C and SIGTERM remove the service (its tasks stop with it).
    const ProcessIo::StopSignals stopSignals(&launcher, [&launcher]() { launcher.stop(); });
    launcher.launch(spec, count, parser.isSet(detach));
    const int code = runCtx.exec();
    return code;
}

} // namespace

int swarmCommand(CliContext &ctx, const QStringList &args)
{
    if (args.isEmpty())
        return ctx.usage(QStringLiteral("swarm needs a subcommand: nodes or run."));
    if (args.first() == QLatin1String("nodes"))
        return nodes(ctx, args.mid(1));
    if (args.first() == QLatin1String("run"))
        return run(ctx, args.mid(1));
    return ctx.usage(
        QStringLiteral("unknown swarm subcommand '%1'; use nodes or run.").arg(args.first()));
}
