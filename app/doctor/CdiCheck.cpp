#include "CdiCheck.h"

#include "engine/CdiSpecVersions.h"
#include "engine/DockerClient.h"
#include "launch/CdiNames.h"

using Status = DoctorCheck::Status;

namespace {

constexpr int kCdiApiMinor = 44; // CDI came with Docker 25, API 1.44

const QString kCdiEnable = QStringLiteral("sudo nvidia-ctk runtime configure --runtime=docker "
                                          "--cdi.enabled && sudo systemctl restart docker");

} // namespace

const QString &CdiCheck::generateCommand()
{
    static const QString command = QStringLiteral(
        "sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml");
    return command;
}

DoctorCheck::Verdict CdiCheck::run(const DoctorFacts &facts)
{
    const QString product = facts.info.productName();
    const bool wantsCdi = facts.presetsWantCdi();
    // Where CDI is the way GPUs are asked for, its faults fail; elsewhere they only warn.
    const bool needed = wantsCdi || facts.info.isPodman();
    const Status problem = needed ? Status::Fail : Status::Warn;
    if (!facts.info.isPodman() && facts.client->apiMinor() < kCdiApiMinor) {
        if (!wantsCdi) {
            return {Status::Skip,
                    tr("%1 has no CDI (it came with Docker 25), and no preset uses CDI devices.")
                        .arg(product)};
        }
        return {Status::Fail,
                tr("A preset uses CDI devices, but %1 speaks API %2 and CDI needs 1.44 (Docker "
                   "25).")
                    .arg(product, facts.client->apiVersion()),
                tr("Update Docker, or switch the preset's device driver to \"nvidia\".")};
    }
    if (!facts.info.cdiEnabled()) {
        if (!wantsCdi && facts.cdi.devices.isEmpty()) {
            return {Status::Skip,
                    tr("CDI is off on %1, and no preset uses CDI devices.").arg(product)};
        }
        return {
            problem,
            tr("CDI is off on %1%2.")
                .arg(product, wantsCdi ? tr(", and a preset uses CDI devices") : QString()),
            tr("Docker 25 to 28.1 need \"features\": {\"cdi\": true} in /etc/docker/daemon.json "
               "(28.2 and newer "
               "have it on): add it, or let the toolkit do it, and restart dockerd."),
            kCdiEnable};
    }
    const bool local = !facts.client->endpoint().isRemote();
    QStringList found;
    if (local)
        found << tr("spec files: %1")
                     .arg(facts.cdi.files.isEmpty()
                              ? tr("none in %1")
                                    .arg(facts.info.cdiSpecDirs.join(QStringLiteral(", ")))
                              : facts.cdi.files.join(QStringLiteral(", ")));
    found << tr("devices: %1")
                 .arg(facts.cdi.devices.isEmpty() ? tr("none")
                                                  : facts.cdi.names().join(QStringLiteral(", ")));
    const QString summary =
        tr("CDI is on in %1; %2.").arg(product, found.join(QStringLiteral("; ")));
    if (!facts.cdi.problems.isEmpty()) {
        return {problem,
                summary + QLatin1Char(' ') + facts.cdi.problems.join(QStringLiteral("; "))
                    + QLatin1Char('.'),
                tr("Keep each device in one spec file: remove the older file, or regenerate it."),
                generateCommand()};
    }
    if (const auto versions = CdiSpecVersions::check(facts.cdi.files, facts.info); !versions.ok()) {
        return {problem, summary + QLatin1Char(' ') + versions.detail, versions.fix,
                versions.command};
    }
    if (facts.cdi.devices.isEmpty()) {
        return {needed ? Status::Fail : Status::Warn, summary,
                local
                    ? tr("Generate the CDI specification for this host's GPUs.")
                    : tr("The engine is remote and lists no devices: generate the specification on "
                         "its host."),
                generateCommand()};
    }
    // A spec left behind by a driver upgrade or a swapped card names GPUs the host no longer has.
    if (facts.snapshot.ok()) {
        const QStringList hostUuids = facts.hostUuids();
        QStringList specUuids;
        int indexDevices = 0;
        for (const QString &name : facts.cdi.names()) {
            const QString id = name.section(QLatin1Char('='), 1);
            if (!name.startsWith(CdiNames::gpuKind() + QLatin1Char('=')))
                continue;
            if (id.startsWith(QLatin1String("GPU-")))
                specUuids << id;
            else if (!id.isEmpty() && id.toInt() >= 0 && QString::number(id.toInt()) == id)
                ++indexDevices;
        }
        QStringList stale;
        QStringList missing;
        for (const QString &uuid : std::as_const(specUuids)) {
            if (!hostUuids.contains(uuid))
                stale << uuid;
        }
        if (!specUuids.isEmpty()) {
            for (const QString &uuid : std::as_const(hostUuids)) {
                if (!specUuids.contains(uuid))
                    missing << uuid;
            }
        }
        if (!stale.isEmpty() || !missing.isEmpty() || indexDevices < hostUuids.size()) {
            QStringList why;
            if (!stale.isEmpty())
                why << tr("it names GPUs this host does not have (%1)")
                           .arg(stale.join(QStringLiteral(", ")));
            if (!missing.isEmpty())
                why << tr("it lacks this host's %1").arg(missing.join(QStringLiteral(", ")));
            if (stale.isEmpty() && missing.isEmpty())
                why << tr("it defines %1 GPU index devices for %2 GPUs")
                           .arg(indexDevices)
                           .arg(hostUuids.size());
            return {problem,
                    summary + QLatin1Char(' ')
                        + tr("The specification is stale: %1.").arg(why.join(tr("; and "))),
                    tr("Regenerate it for the GPUs and driver the host has now."),
                    generateCommand()};
        }
        return {Status::Pass, summary + QLatin1Char(' ') + tr("They match this host's GPUs.")};
    }
    return {Status::Pass, summary + QLatin1Char(' ')
                              + tr("(Not compared with the host's GPUs: they could not be read.)")};
}
