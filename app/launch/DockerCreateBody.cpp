#include "DockerCreateBody.h"

#include "ByteSize.h"
#include "CdiNames.h"
#include "LaunchSpec.h"
#include "PortMapping.h"
#include "Ulimit.h"

namespace DockerCreateBody {

QJsonObject build(const LaunchSpec &spec, bool detach)
{
    QJsonObject body;
    body.insert(QStringLiteral("Image"), spec.image);
    if (!spec.command.isEmpty())
        body.insert(QStringLiteral("Cmd"), QJsonArray::fromStringList(spec.command));
    if (spec.entrypoint)
        body.insert(QStringLiteral("Entrypoint"), QJsonArray::fromStringList(*spec.entrypoint));
    if (!spec.env.isEmpty())
        body.insert(QStringLiteral("Env"), QJsonArray::fromStringList(spec.env));
    body.insert(QStringLiteral("Tty"), spec.tty);
    // docker run -i: stdin open; attached (and closed after the first attach ends) unless -d.
    body.insert(QStringLiteral("OpenStdin"), spec.interactive);
    body.insert(QStringLiteral("AttachStdin"), spec.interactive && !detach);
    if (spec.interactive)
        body.insert(QStringLiteral("StdinOnce"), !detach);
    body.insert(QStringLiteral("AttachStdout"), !detach);
    body.insert(QStringLiteral("AttachStderr"), !detach);
    if (!spec.user.isEmpty())
        body.insert(QStringLiteral("User"), spec.user);
    if (!spec.workdir.isEmpty())
        body.insert(QStringLiteral("WorkingDir"), spec.workdir);
    if (!spec.ports.isEmpty())
        body.insert(QStringLiteral("ExposedPorts"), PortMappings::exposedPorts(spec.ports));
    if (!spec.labels.isEmpty())
        body.insert(QStringLiteral("Labels"), spec.labels);

    QJsonObject host;
    host.insert(QStringLiteral("AutoRemove"), spec.autoRemove);
    if (!spec.runtime.isEmpty())
        host.insert(QStringLiteral("Runtime"), spec.runtime);
    if (const auto bytes = ByteSize::ifSet(spec.shmSize))
        host.insert(QStringLiteral("ShmSize"), *bytes);
    if (!spec.ipcMode.isEmpty())
        host.insert(QStringLiteral("IpcMode"), spec.ipcMode);
    if (!spec.binds.isEmpty())
        host.insert(QStringLiteral("Binds"), QJsonArray::fromStringList(spec.binds));
    if (!spec.networkMode.isEmpty())
        host.insert(QStringLiteral("NetworkMode"), spec.networkMode);
    if (!spec.ports.isEmpty())
        host.insert(QStringLiteral("PortBindings"), PortMappings::portBindings(spec.ports));
    const QJsonArray requests = deviceRequests(spec);
    if (!requests.isEmpty())
        host.insert(QStringLiteral("DeviceRequests"), requests);
    if (!spec.ulimits.isEmpty())
        host.insert(QStringLiteral("Ulimits"), Ulimit::hostConfig(spec.ulimits));
    body.insert(QStringLiteral("HostConfig"), host);
    return body;
}

QJsonArray deviceRequests(const LaunchSpec &spec)
{
    if (!spec.usesGpus())
        return {};
    QJsonObject request;
    // Field for field what the docker CLI sends: --gpus for the nvidia path, --device for CDI.
    if (spec.deviceDriver == QLatin1String("cdi")) {
        request.insert(QStringLiteral("Driver"), QStringLiteral("cdi"));
        request.insert(QStringLiteral("Count"), 0);
        request.insert(QStringLiteral("DeviceIDs"),
                       QJsonArray::fromStringList(CdiNames::forGpus(spec.gpus)));
        request.insert(QStringLiteral("Capabilities"), QJsonValue::Null);
        request.insert(QStringLiteral("Options"), QJsonValue::Null);
        return {request};
    }
    request.insert(QStringLiteral("Driver"), spec.deviceDriver);
    switch (spec.gpus.mode) {
    case GpuSelection::Mode::None: break;
    case GpuSelection::Mode::All:
        request.insert(QStringLiteral("Count"), -1);
        request.insert(QStringLiteral("DeviceIDs"), QJsonValue::Null);
        break;
    case GpuSelection::Mode::Count:
    case GpuSelection::Mode::Free: // not resolved yet (FreeGpuPicker): the nearest docker has
        request.insert(QStringLiteral("Count"), spec.gpus.count);
        request.insert(QStringLiteral("DeviceIDs"), QJsonValue::Null);
        break;
    case GpuSelection::Mode::Devices:
        request.insert(QStringLiteral("Count"), 0);
        request.insert(QStringLiteral("DeviceIDs"), QJsonArray::fromStringList(spec.gpus.devices));
        break;
    }
    request.insert(QStringLiteral("Capabilities"),
                   QJsonArray{QJsonArray::fromStringList(spec.requestCapabilities())});
    request.insert(QStringLiteral("Options"), QJsonObject{});
    return {request};
}

QUrlQuery query(const LaunchSpec &spec)
{
    QUrlQuery query;
    if (!spec.containerName.isEmpty())
        query.addQueryItem(QStringLiteral("name"), spec.containerName);
    return query;
}

} // namespace DockerCreateBody
