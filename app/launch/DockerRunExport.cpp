#include "DockerRunExport.h"

#include "CdiNames.h"
#include "GpuFlag.h"
#include "LaunchSpec.h"
#include "common/ShellWords.h"

QStringList DockerRunExport::arguments(const LaunchSpec &spec, bool detach, const QString &engine)
{
    QStringList args = {QStringLiteral("docker")};
    if (!engine.isEmpty()) {
        const bool url = engine.contains(QLatin1String("://"))
                         || engine.startsWith(QLatin1Char('/'));
        args << (url ? QStringLiteral("-H") : QStringLiteral("--context")) << engine;
    }
    args << QStringLiteral("run");
    if (spec.autoRemove)
        args << QStringLiteral("--rm");
    if (detach)
        args << QStringLiteral("-d");
    if (spec.interactive)
        args << QStringLiteral("-i");
    if (spec.tty)
        args << QStringLiteral("-t");
    if (!spec.user.isEmpty())
        args << QStringLiteral("--user") << spec.user;
    if (!spec.workdir.isEmpty())
        args << QStringLiteral("-w") << spec.workdir;
    // --entrypoint takes one word; the rest of the entrypoint goes before the command.
    const QStringList entrypoint = spec.entrypoint.value_or(QStringList());
    if (spec.entrypoint)
        args << QStringLiteral("--entrypoint") << entrypoint.value(0);
    for (const QString &limit : spec.ulimits)
        args << QStringLiteral("--ulimit") << limit;
    if (!spec.containerName.isEmpty())
        args << QStringLiteral("--name") << spec.containerName;
    if (!spec.runtime.isEmpty())
        args << QStringLiteral("--runtime") << spec.runtime;
    if (spec.usesCdi()) {
        // The CLI turns --device NAME into the "cdi" device request.
        for (const QString &device : CdiNames::forGpus(spec.gpus))
            args << QStringLiteral("--device") << device;
    } else if (const QString gpus = GpuFlag::format(spec); !gpus.isEmpty()) {
        args << QStringLiteral("--gpus") << gpus;
    }
    for (const QString &entry : spec.env)
        args << QStringLiteral("-e") << entry;
    if (!spec.shmSize.isEmpty())
        args << QStringLiteral("--shm-size") << spec.shmSize;
    if (!spec.ipcMode.isEmpty())
        args << QStringLiteral("--ipc") << spec.ipcMode;
    for (const QString &bind : spec.binds)
        args << QStringLiteral("-v") << bind;
    if (!spec.networkMode.isEmpty())
        args << QStringLiteral("--network") << spec.networkMode;
    for (const QString &port : spec.ports)
        args << QStringLiteral("-p") << port;
    args << spec.image;
    args << entrypoint.mid(1);
    args << spec.command;
    return args;
}

QStringList DockerRunExport::podmanArguments(const LaunchSpec &spec, bool detach)
{
    QStringList args = arguments(spec.resolvedFor(EngineKind::Podman), detach);
    args[0] = QStringLiteral("podman");
    return args;
}

QString DockerRunExport::podmanCommandLine(const LaunchSpec &spec, bool detach)
{
    return ShellWords::join(podmanArguments(spec, detach));
}

QString DockerRunExport::commandLine(const LaunchSpec &spec, bool detach, const QString &engine)
{
    return ShellWords::join(arguments(spec, detach, engine));
}
