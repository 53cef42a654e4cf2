#include "CliContext.h"
#include "Commands.h"
#include "EngineSession.h"
#include "ProcessIo.h"

#include "engine/DockerClient.h"
#include "launch/SwarmLauncher.h"
#include "launch/SwarmService.h"
#include "presets/PresetStore.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSocketNotifier>
#include <QUrl>

#include <cerrno>
#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

// `gpudeck swarm nodes [--json]` and `gpudeck swarm run --preset NAME|FILE [--replicas N] [--detach]`.
namespace {

constexpr int kFailed = 1;
constexpr int kLaunchFailed = 125;

// A call on the engine, waited for in the command's event loop.
Result<QJsonDocument> getJson(DockerClient *client, const QString &path, const QString &what)
{
    Result<QJsonDocument> out = QJsonDocument();
    QObject context;
    CliContext wait;
    client->call("GET", path, {}, what, &context, [&](const Result<QByteArray> &body) {
        out = body ? Result<QJsonDocument>(QJsonDocument::fromJson(body.value())) : Result<QJsonDocument>(body.error());
        wait.finish(0);
    });
    wait.exec();
    return out;
}

Error notAManager(const Error &error)
{
    Error e = error;
    if (error.httpStatus() == 503)
        e.withHint(QStringLiteral("run it against a swarm manager: docker swarm init on this engine, or --host a manager"));
    return e;
}

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
    const auto nodeList = getJson(client.value(), QStringLiteral("/nodes"), QStringLiteral("Could not list the swarm's nodes"));
    if (!nodeList)
        return ctx.fail(notAManager(nodeList.error()), kFailed);
    const auto services = getJson(client.value(), QStringLiteral("/services"), QStringLiteral("Could not list the swarm's services"));
    if (!services)
        return ctx.fail(services.error(), kFailed);
    const QString running = QString::fromLatin1(QUrl::toPercentEncoding(QStringLiteral("{\"desired-state\":[\"running\"]}")));
    const auto tasks = getJson(client.value(), QStringLiteral("/tasks?filters=") + running,
                               QStringLiteral("Could not list the swarm's tasks"));
    if (!tasks)
        return ctx.fail(tasks.error(), kFailed);

    QHash<QString, QString> serviceNames;
    for (const QJsonValue &s : services.value().array())
        serviceNames.insert(s[QStringLiteral("ID")].toString(), s[QStringLiteral("Spec")][QStringLiteral("Name")].toString());
    // GPU UUID on a node -> the task holding it.
    QHash<QString, QJsonObject> holders;
    for (const QJsonValue &t : tasks.value().array()) {
        const QString state = t[QStringLiteral("Status")][QStringLiteral("State")].toString();
        if (state == QLatin1String("complete") || state == QLatin1String("failed") || state == QLatin1String("shutdown")
            || state == QLatin1String("rejected"))
            continue;
        const QString service = serviceNames.value(t[QStringLiteral("ServiceID")].toString());
        const QJsonObject holder{{QStringLiteral("task"), t[QStringLiteral("ID")].toString()},
                                 {QStringLiteral("name"), QStringLiteral("%1.%2").arg(service).arg(t[QStringLiteral("Slot")].toInt())},
                                 {QStringLiteral("service"), service},
                                 {QStringLiteral("state"), state}};
        // The Engine API names a task's assigned resources "GenericResources" (swarmkit's
        // AssignedGenericResources).
        for (const QJsonValue &r : t[QStringLiteral("GenericResources")].toArray()) {
            const QJsonObject named = r[QStringLiteral("NamedResourceSpec")].toObject();
            if (named.value(QStringLiteral("Kind")).toString() == QLatin1String(SwarmService::kGpuKind))
                holders.insert(t[QStringLiteral("NodeID")].toString() + QLatin1Char('/') + named.value(QStringLiteral("Value")).toString(), holder);
        }
    }

    QJsonArray out;
    for (const QJsonValue &n : nodeList.value().array()) {
        const QString id = n[QStringLiteral("ID")].toString();
        QJsonArray gpus;
        int discrete = 0;
        for (const QJsonValue &r : n[QStringLiteral("Description")][QStringLiteral("Resources")][QStringLiteral("GenericResources")].toArray()) {
            const QJsonObject named = r[QStringLiteral("NamedResourceSpec")].toObject();
            const QJsonObject counted = r[QStringLiteral("DiscreteResourceSpec")].toObject();
            if (named.value(QStringLiteral("Kind")).toString() == QLatin1String(SwarmService::kGpuKind)) {
                const QString uuid = named.value(QStringLiteral("Value")).toString();
                const QJsonObject holder = holders.value(id + QLatin1Char('/') + uuid);
                gpus.append(QJsonObject{{QStringLiteral("uuid"), uuid},
                                        {QStringLiteral("task"), holder.isEmpty() ? QJsonValue() : QJsonValue(holder)}});
            } else if (counted.value(QStringLiteral("Kind")).toString() == QLatin1String(SwarmService::kGpuKind)) {
                discrete += counted.value(QStringLiteral("Value")).toInt();
            }
        }
        const bool manager = n[QStringLiteral("ManagerStatus")].isObject();
        out.append(QJsonObject{
            {QStringLiteral("id"), id},
            {QStringLiteral("hostname"), n[QStringLiteral("Description")][QStringLiteral("Hostname")].toString()},
            {QStringLiteral("state"), n[QStringLiteral("Status")][QStringLiteral("State")].toString()},
            {QStringLiteral("availability"), n[QStringLiteral("Spec")][QStringLiteral("Availability")].toString()},
            {QStringLiteral("role"), n[QStringLiteral("ManagerStatus")][QStringLiteral("Leader")].toBool()
                                         ? QStringLiteral("leader")
                                         : (manager ? QStringLiteral("manager") : QStringLiteral("worker"))},
            {QStringLiteral("address"), n[QStringLiteral("Status")][QStringLiteral("Addr")].toString()},
            {QStringLiteral("gpus"), gpus},
            {QStringLiteral("gpuCount"), int(gpus.size()) + discrete}});
    }
    if (json) {
        ctx.out << QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("nodes"), out}}).toJson(QJsonDocument::Indented));
        return 0;
    }
    ctx.out << "NODE          HOSTNAME  STATE  AVAILABILITY  ROLE  NVIDIA-GPU\n";
    for (const QJsonValue &n : std::as_const(out)) {
        QStringList gpuCells;
        for (const QJsonValue &g : n[QStringLiteral("gpus")].toArray()) {
            const QJsonObject task = g[QStringLiteral("task")].toObject();
            gpuCells << g[QStringLiteral("uuid")].toString()
                    + (task.isEmpty() ? QStringLiteral(" free")
                                      : QStringLiteral(" held by %1 (%2)").arg(task.value(QStringLiteral("name")).toString(),
                                                                               shortId(task.value(QStringLiteral("task")).toString())));
        }
        ctx.out << shortId(n[QStringLiteral("id")].toString()) << "  " << n[QStringLiteral("hostname")].toString() << "  "
                << n[QStringLiteral("state")].toString() << "  " << n[QStringLiteral("availability")].toString() << "  "
                << n[QStringLiteral("role")].toString() << "  " << n[QStringLiteral("gpuCount")].toInt() << '\n';
        for (const QString &cell : std::as_const(gpuCells))
            ctx.out << "    " << cell << '\n';
    }
    return 0;
}

int run(CliContext &ctx, const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption preset(QStringLiteral("preset"), QStringLiteral("the preset's name or file"), QStringLiteral("NAME|FILE"));
    const QCommandLineOption replicas(QStringLiteral("replicas"), QStringLiteral("how many tasks"), QStringLiteral("N"), QStringLiteral("1"));
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
        return ctx.usage(QStringLiteral("swarm run: --replicas needs a whole number of at least 1, not '%1'.").arg(parser.value(replicas)));

    const Result<Preset> loaded = PresetStore().resolve(parser.value(preset));
    if (!loaded)
        return ctx.fail(loaded.error(), kLaunchFailed);
    const LaunchSpec spec = loaded.value().spec();
    const QList<ValidationIssue> issues = spec.validate();
    if (!issues.isEmpty()) {
        return ctx.fail(Error(Error::Code::Validation,
                              QStringLiteral("Preset \"%1\" cannot be launched").arg(loaded.value().name()),
                              issues.first().message, QStringLiteral("fix it with the window or in its file")),
                        kLaunchFailed);
    }
    const Result<DockerClient *> client = EngineSession::connect(ctx);
    if (!client)
        return ctx.fail(client.error(), kLaunchFailed);

    CliContext runCtx;
    SwarmLauncher launcher(client.value());
    QObject::connect(&launcher, &SwarmLauncher::note, &launcher, [&runCtx](const QString &sentence) {
        runCtx.err << "gpudeck: " << sentence << Qt::endl;
    });
    QObject::connect(&launcher, &SwarmLauncher::output, &launcher, [](StreamDemuxer::Channel channel, const QByteArray &data) {
        ProcessIo::writeAll(channel == StreamDemuxer::Channel::Stderr ? STDERR_FILENO : STDOUT_FILENO, data);
    });
    QObject::connect(&launcher, &SwarmLauncher::finished, &launcher, [&]() {
        if (parser.isSet(detach) && !launcher.error().isError())
            runCtx.out << launcher.serviceId() << Qt::endl;
        if (launcher.error().isError())
            runCtx.fail(notAManager(launcher.error()), 0);
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
    return ctx.usage(QStringLiteral("unknown swarm subcommand '%1'; use nodes or run.").arg(args.first()));
}
