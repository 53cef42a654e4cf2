#include "InspectedLaunch.h"

#include "ByteSize.h"
#include "common/JsonStrings.h"
#include "containers/ContainerRecord.h"

#include <QJsonArray>

namespace {

constexpr qint64 DefaultShmBytes = 64LL * 1024 * 1024;

bool isSet(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Array: return !value.toArray().isEmpty();
    case QJsonValue::Object: return !value.toObject().isEmpty();
    case QJsonValue::Bool: return value.toBool();
    case QJsonValue::Double: return value.toDouble() != 0;
    case QJsonValue::String: return !value.toString().isEmpty();
    default: return false;
    }
}

void readGpus(const QJsonObject &host, LaunchSpec *spec)
{
    const QJsonArray requests = host.value(QStringLiteral("DeviceRequests")).toArray();
    for (const QJsonValue &value : requests) {
        const QJsonObject request = value.toObject();
        const QStringList ids = jsonStrings(request.value(QStringLiteral("DeviceIDs")));
        const QString driver = request.value(QStringLiteral("Driver")).toString();
        if (driver == QLatin1String("cdi")) {
            spec->deviceDriver = driver;
            spec->gpus = GpuSelection::ofDevices(ids);
            return;
        }
        spec->deviceDriver = driver;
        const int count = request.value(QStringLiteral("Count")).toInt();
        if (!ids.isEmpty())
            spec->gpus = GpuSelection::ofDevices(ids);
        else if (count < 0)
            spec->gpus = GpuSelection::all();
        else if (count > 0)
            spec->gpus = GpuSelection::ofCount(count);
        const QJsonArray anyOf = request.value(QStringLiteral("Capabilities")).toArray();
        if (!anyOf.isEmpty()) {
            QStringList capabilities = jsonStrings(anyOf.first());
            capabilities.removeAll(QStringLiteral("gpu"));
            spec->capabilities = capabilities;
        }
        return;
    }
    // Podman keeps CDI devices as devices.
    const QJsonArray devices = host.value(QStringLiteral("Devices")).toArray();
    QStringList cdi;
    for (const QJsonValue &value : devices) {
        const QString path = value.toObject().value(QStringLiteral("PathOnHost")).toString();
        if (path.startsWith(QLatin1String("nvidia.com/gpu=")))
            cdi << path;
    }
    if (!cdi.isEmpty()) {
        spec->deviceDriver = QStringLiteral("cdi");
        spec->gpus = GpuSelection::ofDevices(cdi);
    }
}

QStringList ports(const QJsonObject &host)
{
    QStringList out;
    const QJsonObject bindings = host.value(QStringLiteral("PortBindings")).toObject();
    for (auto it = bindings.begin(); it != bindings.end(); ++it) {
        const QString port = it.key().endsWith(QLatin1String("/tcp")) ? it.key().chopped(4)
                                                                      : it.key();
        const QJsonArray at = it.value().toArray();
        for (const QJsonValue &value : at) {
            const QJsonObject binding = value.toObject();
            const QString ip = binding.value(QStringLiteral("HostIp")).toString();
            const QString hostPort = binding.value(QStringLiteral("HostPort")).toString();
            QString text = port; // -p [IP:][HOST_PORT:]PORT[/PROTO]
            if (!hostPort.isEmpty() || !ip.isEmpty())
                text = hostPort + QLatin1Char(':') + text;
            if (ip.contains(QLatin1Char(':')))
                text = QLatin1Char('[') + ip + QStringLiteral("]:") + text;
            else if (!ip.isEmpty())
                text = ip + QLatin1Char(':') + text;
            out << text;
        }
    }
    return out;
}

QStringList ulimits(const QJsonObject &host)
{
    QStringList out;
    const QJsonArray limits = host.value(QStringLiteral("Ulimits")).toArray();
    for (const QJsonValue &value : limits) {
        const QJsonObject limit = value.toObject();
        const qint64 soft = limit.value(QStringLiteral("Soft")).toInteger();
        const qint64 hard = limit.value(QStringLiteral("Hard")).toInteger();
        QString text = limit.value(QStringLiteral("Name")).toString() + QLatin1Char('=')
                       + QString::number(soft);
        if (hard != soft)
            text += QLatin1Char(':') + QString::number(hard);
        out << text;
    }
    return out;
}

} // namespace

InspectedLaunch InspectedLaunch::fromInspect(const QJsonObject &container, const QJsonObject &image)
{
    InspectedLaunch out;
    LaunchSpec &spec = out.spec;
    const QJsonObject config = container.value(QStringLiteral("Config")).toObject();
    const QJsonObject host = container.value(QStringLiteral("HostConfig")).toObject();
    const QJsonObject imageConfig = image.value(QStringLiteral("Config")).toObject();
    const bool knowImage = !image.isEmpty();
    // What the image sets anyway stays unset, so that a new image tag brings its own.
    const auto own = [&](const QString &key) {
        return !knowImage || config.value(key) != imageConfig.value(key);
    };

    spec.image = config.value(QStringLiteral("Image")).toString();
    const bool ownEntrypoint = own(QStringLiteral("Entrypoint"));
    if (ownEntrypoint)
        spec.entrypoint = jsonStrings(config.value(QStringLiteral("Entrypoint")));
    // A new entrypoint drops the image's command, so the container's is its own then.
    if (ownEntrypoint || own(QStringLiteral("Cmd")))
        spec.command = jsonStrings(config.value(QStringLiteral("Cmd")));
    const QStringList imageEnv = jsonStrings(imageConfig.value(QStringLiteral("Env")));
    const QStringList env = jsonStrings(config.value(QStringLiteral("Env")));
    for (const QString &each : env) {
        if (!imageEnv.contains(each))
            spec.env << each;
    }
    if (own(QStringLiteral("User")))
        spec.user = config.value(QStringLiteral("User")).toString();
    if (own(QStringLiteral("WorkingDir")))
        spec.workdir = config.value(QStringLiteral("WorkingDir")).toString();
    spec.tty = config.value(QStringLiteral("Tty")).toBool();
    spec.interactive = config.value(QStringLiteral("OpenStdin")).toBool();
    spec.autoRemove = host.value(QStringLiteral("AutoRemove")).toBool();

    readGpus(host, &spec);
    const QString runtime = host.value(QStringLiteral("Runtime")).toString();
    if (runtime != QLatin1String("runc") && runtime != QLatin1String("crun"))
        spec.runtime = runtime;
    const qint64 shm = host.value(QStringLiteral("ShmSize")).toInteger();
    if (shm > 0 && shm != DefaultShmBytes)
        spec.shmSize = ByteSize::text(shm);
    const QString ipc = host.value(QStringLiteral("IpcMode")).toString();
    if (ipc != QLatin1String("private") && ipc != QLatin1String("shareable"))
        spec.ipcMode = ipc;
    spec.binds = jsonStrings(host.value(QStringLiteral("Binds")));
    const QString network = host.value(QStringLiteral("NetworkMode")).toString();
    if (network != QLatin1String("default") && network != QLatin1String("bridge"))
        spec.networkMode = network;
    spec.ports = ports(host);
    spec.ulimits = ulimits(host);

    // The rest, as docker run names it, when the container was made with it.
    const QStringList ours = {ContainerRecord::presetLabel(), ContainerRecord::gpusLabel()};
    const QJsonObject labels = config.value(QStringLiteral("Labels")).toObject();
    const QJsonObject imageLabels = imageConfig.value(QStringLiteral("Labels")).toObject();
    bool ownLabels = false;
    for (auto it = labels.begin(); it != labels.end(); ++it)
        ownLabels = ownLabels
                    || (!ours.contains(it.key()) && imageLabels.value(it.key()) != it.value());
    const qint64 memory = host.value(QStringLiteral("Memory")).toInteger();
    const qint64 swap = host.value(QStringLiteral("MemorySwap")).toInteger();
    const QString restart = host.value(QStringLiteral("RestartPolicy"))
                                .toObject()
                                .value(QStringLiteral("Name"))
                                .toString();
    QStringList securityOpt = jsonStrings(host.value(QStringLiteral("SecurityOpt")));
    securityOpt.removeAll(QStringLiteral("label=disable")); // what Podman adds for GPUs
    const QList<std::pair<QString, bool>> options = {
        {QStringLiteral("--add-host"), isSet(host.value(QStringLiteral("ExtraHosts")))},
        {QStringLiteral("--cap-add"), isSet(host.value(QStringLiteral("CapAdd")))},
        {QStringLiteral("--cap-drop"), isSet(host.value(QStringLiteral("CapDrop")))},
        {QStringLiteral("--cpus"), isSet(host.value(QStringLiteral("NanoCpus")))},
        {QStringLiteral("--cpu-shares"), isSet(host.value(QStringLiteral("CpuShares")))},
        {QStringLiteral("--device"),
         isSet(host.value(QStringLiteral("Devices"))) && spec.deviceDriver != QLatin1String("cdi")},
        {QStringLiteral("--dns"), isSet(host.value(QStringLiteral("Dns")))},
        {QStringLiteral("--group-add"), isSet(host.value(QStringLiteral("GroupAdd")))},
        {QStringLiteral("--init"), isSet(host.value(QStringLiteral("Init")))},
        {QStringLiteral("--label"), ownLabels},
        {QStringLiteral("--memory"), memory > 0},
        // docker sets swap to twice the memory when only --memory is given
        {QStringLiteral("--memory-swap"), swap > 0 && swap != 2 * memory},
        {QStringLiteral("--mount"), isSet(host.value(QStringLiteral("Mounts")))},
        {QStringLiteral("--pid"), isSet(host.value(QStringLiteral("PidMode")))},
        {QStringLiteral("--privileged"), isSet(host.value(QStringLiteral("Privileged")))},
        {QStringLiteral("--read-only"), isSet(host.value(QStringLiteral("ReadonlyRootfs")))},
        {QStringLiteral("--restart"), !restart.isEmpty() && restart != QLatin1String("no")},
        {QStringLiteral("--security-opt"), !securityOpt.isEmpty()},
        {QStringLiteral("--sysctl"), isSet(host.value(QStringLiteral("Sysctls")))},
        {QStringLiteral("--tmpfs"), isSet(host.value(QStringLiteral("Tmpfs")))},
        {QStringLiteral("--volumes-from"), isSet(host.value(QStringLiteral("VolumesFrom")))},
    };
    for (const auto &[flag, used] : options) {
        if (used)
            out.notCarried << flag;
    }
    return out;
}
