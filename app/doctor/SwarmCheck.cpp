#include "SwarmCheck.h"

#include "engine/DockerClient.h"
#include "engine/SwarmNodes.h"

#include <QFile>
#include <QJsonArray>
#include <QRegularExpression>

#include <optional>

using Status = DoctorCheck::Status;

namespace {

// A swarm task that reserves GPUs gets their UUIDs in this variable; the toolkit's hook reads it
// only when its swarm-resource setting names it (its default names DOCKER_RESOURCE_GPU).
const QString kSwarmVariable = QStringLiteral("DOCKER_RESOURCE_NVIDIA-GPU");
const QString kSwarmResourceCommand = QStringLiteral(
    "sudo nvidia-ctk config --in-place --set swarm-resource=DOCKER_RESOURCE_NVIDIA-GPU");

// The toolkit's config file (GPUDECK_TOOLKIT_CONFIG for tests); its swarm-resource value, empty
// when it is not set (or the line is commented out), nullopt when there is no such file.
std::optional<QString> toolkitSwarmResource()
{
    const QString path = qEnvironmentVariable("GPUDECK_TOOLKIT_CONFIG",
                                              QStringLiteral(
                                                  "/etc/nvidia-container-runtime/config.toml"));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    static const QRegularExpression line(QStringLiteral(
                                             R"re(^\s*swarm-resource\s*=\s*"([^"]*)")re"),
                                         QRegularExpression::MultilineOption);
    return line.match(QString::fromUtf8(file.readAll())).captured(1);
}

} // namespace

DoctorCheck::Verdict SwarmCheck::run(const DoctorFacts &facts)
{
    const bool inSwarm = facts.info.raw.value(QStringLiteral("Swarm"))
                             .toObject()
                             .value(QStringLiteral("LocalNodeState"))
                             .toString()
                         == QLatin1String("active");
    // NVIDIA-GPU=GPU-<uuid> from daemon.json's node-generic-resources, or NVIDIA-GPU=<count>: a
    // number without UUIDs.
    const SwarmNodes::Advertised resources = SwarmNodes::advertisedGpus(
        facts.info.raw.value(QStringLiteral("GenericResources")).toArray());
    const QStringList &advertised = resources.uuids;
    const int counted = resources.counted;
    if (!inSwarm && advertised.isEmpty() && counted == 0)
        return {Status::Skip, tr("The engine is not part of a swarm.")};
    const QStringList hostUuids = facts.hostUuids();
    QStringList snippet;
    for (const QString &uuid : std::as_const(hostUuids))
        snippet << QStringLiteral("\"NVIDIA-GPU=%1\"").arg(uuid);
    const QString advertiseFix =
        hostUuids.isEmpty() ? tr(
            "Advertise the host's GPUs in /etc/docker/daemon.json as \"node-generic-resources\": "
            "[\"NVIDIA-GPU=GPU-<uuid>\", ...] (the UUIDs nvidia-smi -L prints), then restart "
            "dockerd.")
                            : tr("Advertise the host's GPUs in /etc/docker/daemon.json: "
                                 "\"node-generic-resources\": [%1], then "
                                 "restart dockerd.")
                                  .arg(snippet.join(QStringLiteral(", ")));
    if (advertised.isEmpty() && counted == 0) {
        return {
            hostUuids.isEmpty() ? Status::Skip : Status::Warn,
            tr("This swarm node advertises no NVIDIA-GPU resources, so no swarm task can reserve "
               "%1.")
                .arg(hostUuids.isEmpty() ? tr("GPUs here")
                                         : tr("its %n GPU(s)", nullptr, int(hostUuids.size()))),
            advertiseFix};
    }
    if (counted > 0 && advertised.isEmpty()) {
        return {
            Status::Warn,
            tr("This swarm node advertises %n NVIDIA-GPU resource(s) by count, without UUIDs: a "
               "task learns "
               "how many GPUs it holds but not which.",
               nullptr, counted),
            advertiseFix};
    }
    QStringList found{tr("This swarm node advertises %1 as NVIDIA-GPU resources")
                          .arg(advertised.join(QStringLiteral(", ")))};
    if (facts.snapshot.ok()) {
        QStringList stale;
        QStringList unadvertised;
        for (const QString &uuid : std::as_const(advertised)) {
            if (!hostUuids.contains(uuid))
                stale << uuid;
        }
        for (const QString &uuid : std::as_const(hostUuids)) {
            if (!advertised.contains(uuid))
                unadvertised << uuid;
        }
        if (!stale.isEmpty()) {
            return {Status::Fail,
                    found.first() + QLatin1String("; ")
                        + tr("the host has no GPU %1, so a task that reserves it gets no GPU.")
                              .arg(stale.join(QStringLiteral(", "))),
                    advertiseFix};
        }
        if (!unadvertised.isEmpty())
            found << tr("the host's %1 is not advertised, so no task can reserve it")
                         .arg(unadvertised.join(QStringLiteral(", ")));
    }
    // The reservation reaches the container only through the toolkit's swarm-resource setting.
    if (facts.client->endpoint().isRemote()) {
        return {
            Status::Warn,
            found.join(QStringLiteral("; ")) + QLatin1String(". ")
                + tr("Whether the NVIDIA Container Toolkit there hands them to tasks cannot be "
                     "read from here."),
            tr("On the engine's host, swarm-resource in /etc/nvidia-container-runtime/config.toml "
               "must name %1: "
               "a task gets its GPUs' UUIDs in that variable.")
                .arg(kSwarmVariable),
            kSwarmResourceCommand};
    }
    const std::optional<QString> setting = toolkitSwarmResource();
    if (setting != kSwarmVariable) {
        found << (!setting ? tr("the NVIDIA Container Toolkit's config.toml is missing")
                  : setting->isEmpty()
                      ? tr("the NVIDIA Container Toolkit's swarm-resource is not set")
                      : tr("the NVIDIA Container Toolkit's swarm-resource is %1").arg(*setting));
        return {
            Status::Warn,
            found.join(QStringLiteral("; ")) + QLatin1String(". ")
                + tr("A task gets its GPUs' UUIDs in %1, which the toolkit turns into visible GPUs "
                     "only when "
                     "swarm-resource names it.")
                      .arg(kSwarmVariable),
            tr("Set swarm-resource = \"%1\" in /etc/nvidia-container-runtime/config.toml.")
                .arg(kSwarmVariable),
            kSwarmResourceCommand};
    }
    return {found.size() > 1 ? Status::Warn : Status::Pass,
            found.join(QStringLiteral("; ")) + QLatin1String("; ")
                + tr("the toolkit's swarm-resource names %1, so tasks see the GPUs they reserve.")
                      .arg(kSwarmVariable),
            found.size() > 1 ? advertiseFix : QString()};
}
