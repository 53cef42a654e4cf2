#include "SwarmService.h"

#include "LaunchSpec.h"

#include "DockerCreateBody.h"
#include "common/Error.h"

#include <QJsonArray>

namespace {

QJsonObject mountOf(const QString &bind)
{
    const QStringList parts = bind.split(QLatin1Char(':'));
    const QString source = parts.value(0);
    const QStringList options = parts.value(2).split(QLatin1Char(','), Qt::SkipEmptyParts);
    QJsonObject mount{{QStringLiteral("Type"), source.startsWith(QLatin1Char('/'))
                                                   ? QStringLiteral("bind")
                                                   : QStringLiteral("volume")},
                      {QStringLiteral("Source"), source},
                      {QStringLiteral("Target"), parts.value(1)}};
    if (options.contains(QStringLiteral("ro")))
        mount.insert(QStringLiteral("ReadOnly"), true);
    return mount;
}

} // namespace

Result<SwarmService::Plan> SwarmService::plan(const LaunchSpec &spec, int replicas,
                                              const QString &name)
{
    Plan plan;
    if (spec.usesCdi())
        return Error(Error::Code::Unsupported, QStringLiteral("A swarm cannot launch this preset"),
                     QStringLiteral("swarm services cannot ask for CDI devices"),
                     QStringLiteral("use the nvidia driver and a GPU count for swarm launches"));
    switch (spec.gpus.mode) {
    case GpuSelection::Mode::None: break;
    case GpuSelection::Mode::All:
        return Error(
            Error::Code::Unsupported, QStringLiteral("A swarm cannot launch this preset"),
            QStringLiteral(
                "a swarm reserves a number of NVIDIA-GPU resources and has no \"all GPUs\""),
            QStringLiteral("pick a GPU count in the preset"));
    case GpuSelection::Mode::Count:
    case GpuSelection::Mode::Free: // a swarm reserves only GPUs no other task holds
        plan.gpus = spec.gpus.count;
        break;
    case GpuSelection::Mode::Devices:
        plan.gpus = int(spec.gpus.devices.size());
        plan.notes << QStringLiteral(
                          "The preset picks GPUs %1; a swarm reserves %2 and chooses which.")
                          .arg(spec.gpus.devices.join(QStringLiteral(", ")))
                          .arg(plan.gpus == 1 ? QStringLiteral("1 GPU")
                                              : QStringLiteral("%1 GPUs").arg(plan.gpus));
        break;
    }

    const QJsonObject body = DockerCreateBody::build(spec, true);
    const QJsonObject host = body.value(QStringLiteral("HostConfig")).toObject();
    QJsonObject container{{QStringLiteral("Image"), body.value(QStringLiteral("Image"))}};
    // The create body's Cmd keeps the image's entrypoint, as a service's Args do (Command would not).
    if (body.contains(QStringLiteral("Cmd")))
        container.insert(QStringLiteral("Args"), body.value(QStringLiteral("Cmd")));
    QJsonArray env = body.value(QStringLiteral("Env")).toArray();
    if (plan.gpus > 0) {
        // Without DeviceRequests nobody derives this from the capabilities: say it directly.
        QStringList caps = spec.requestCapabilities();
        caps.removeAll(QStringLiteral("gpu"));
        if (!caps.isEmpty())
            env.append(QString(QStringLiteral("NVIDIA_DRIVER_CAPABILITIES=")
                               + caps.join(QLatin1Char(','))));
    }
    if (!env.isEmpty())
        container.insert(QStringLiteral("Env"), env);
    if (body.value(QStringLiteral("Tty")).toBool())
        container.insert(QStringLiteral("TTY"), true);
    QJsonArray mounts;
    for (const QJsonValue &bind : host.value(QStringLiteral("Binds")).toArray())
        mounts.append(mountOf(bind.toString()));
    if (host.contains(QStringLiteral("ShmSize"))) {
        mounts.append(QJsonObject{{QStringLiteral("Type"), QStringLiteral("tmpfs")},
                                  {QStringLiteral("Target"), QStringLiteral("/dev/shm")},
                                  {QStringLiteral("TmpfsOptions"),
                                   QJsonObject{{QStringLiteral("SizeBytes"),
                                                host.value(QStringLiteral("ShmSize"))}}}});
    }
    if (!mounts.isEmpty())
        container.insert(QStringLiteral("Mounts"), mounts);
    if (!spec.runtime.isEmpty())
        plan.notes
            << QStringLiteral(
                   "Swarm services cannot choose a runtime: the node's default runtime runs the "
                   "task (\"default-runtime\": \"%1\" in its daemon.json).")
                   .arg(spec.runtime);
    if (!spec.ipcMode.isEmpty())
        plan.notes << QStringLiteral("Swarm services have no IPC mode; \"%1\" is left out.")
                          .arg(spec.ipcMode);
    if (!spec.networkMode.isEmpty() && spec.networkMode != QLatin1String("none"))
        plan.notes
            << QStringLiteral(
                   "Swarm services join swarm networks only; the network \"%1\" is left out.")
                   .arg(spec.networkMode);

    QJsonObject task{{QStringLiteral("ContainerSpec"), container},
                     {QStringLiteral("RestartPolicy"),
                      QJsonObject{{QStringLiteral("Condition"), QStringLiteral("none")}}}};
    if (plan.gpus > 0) {
        const QJsonObject discrete{{QStringLiteral("Kind"), QLatin1String(kGpuKind)},
                                   {QStringLiteral("Value"), plan.gpus}};
        task.insert(QStringLiteral("Resources"),
                    QJsonObject{
                        {QStringLiteral("Reservations"),
                         QJsonObject{{QStringLiteral("GenericResources"),
                                      QJsonArray{QJsonObject{
                                          {QStringLiteral("DiscreteResourceSpec"), discrete}}}}}}});
    }
    plan.body = QJsonObject{{QStringLiteral("Name"), name},
                            {QStringLiteral("Labels"),
                             QJsonObject{{QStringLiteral("io.github.gpudeck.launch"),
                                          QStringLiteral("1")}}},
                            {QStringLiteral("TaskTemplate"), task},
                            {QStringLiteral("Mode"),
                             QJsonObject{{QStringLiteral("Replicated"),
                                          QJsonObject{{QStringLiteral("Replicas"), replicas}}}}}};
    return plan;
}
