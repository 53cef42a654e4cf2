#include "GpuRequestCheck.h"

#include "CdiCheck.h"
#include "engine/DockerClient.h"
#include "engine/EngineError.h"
#include "launch/CdiNames.h"
#include "launch/DockerCreateBody.h"

#include <QPointer>

using Status = DoctorCheck::Status;

namespace {

// The toolkit is not in Debian's or Ubuntu's archive: the command adds NVIDIA's apt repository
// and its signing key first, as NVIDIA's install guide for apt does, so that it works as written.
const QString kToolkitCommand = QStringLiteral(
    "sudo apt-get update && sudo apt-get install -y curl gnupg && "
    "curl -fsSL https://nvidia.github.io/libnvidia-container/gpgkey"
    " | sudo gpg --yes --dearmor -o /usr/share/keyrings/nvidia-container-toolkit-keyring.gpg && "
    "curl -fsSL "
    "https://nvidia.github.io/libnvidia-container/stable/deb/nvidia-container-toolkit.list"
    " | sed 's#deb https://#deb "
    "[signed-by=/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg] https://#g'"
    " | sudo tee /etc/apt/sources.list.d/nvidia-container-toolkit.list >/dev/null && "
    "sudo apt-get update && sudo apt-get install -y nvidia-container-toolkit && "
    "sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker");

// Images that are likely to have `true`; any local image works for the probe, since the
// device request is resolved before the command is looked up.
const char *const kProbeImagePreference[] = {"gpudeck-test", "busybox", "alpine",
                                             "debian",       "ubuntu",  "nvidia/cuda"};

} // namespace

void GpuRequestCheck::run(DockerClient *client, const DoctorFacts &facts, QObject *context,
                          const DoctorCheck::Done &done)
{
    const EngineInfo &info = facts.info;
    if (info.isPodman()) {
        // Podman's compatible create ignores a legacy GPU request, so a probe would pass on a
        // container without GPUs: on Podman the engine hands out exactly its CDI devices.
        if (facts.cdi.devices.isEmpty()) {
            done({Status::Fail,
                  tr("%1 takes GPUs only as CDI devices, and it has none.").arg(info.productName()),
                  tr("Generate the CDI specification for this host's GPUs."),
                  CdiCheck::generateCommand()});
        } else {
            done({Status::Pass,
                  tr("%1 hands out GPUs as CDI devices: %2.")
                      .arg(info.productName(), facts.cdi.names().join(QStringLiteral(", ")))});
        }
        return;
    }
    client->images(context, [client, facts, context,
                             done](const Result<QList<ImageSummary>> &images) {
        if (!images || images.value().isEmpty()) {
            done({Status::Skip,
                  images ? tr("No local image to probe with.") : images.error().message(),
                  tr("Pull any small image, then run the doctor again."),
                  QStringLiteral("docker pull busybox")});
            return;
        }
        QString chosen;
        for (const char *preferred : kProbeImagePreference) {
            for (const ImageSummary &image : images.value()) {
                for (const QString &tag : image.repoTags) {
                    if (chosen.isEmpty() && tag.startsWith(QLatin1String(preferred)))
                        chosen = tag;
                }
            }
        }
        if (chosen.isEmpty())
            chosen = images.value().first().displayName();
        probeWith(client, facts, chosen, false, context, done);
    });
}

void GpuRequestCheck::probeWith(DockerClient *client, const DoctorFacts &facts,
                                const QString &image, bool throughCdi, QObject *context,
                                const DoctorCheck::Done &done)
{
    LaunchSpec probe;
    probe.image = image;
    probe.command = {QStringLiteral("true")};
    probe.entrypoint = QStringList(); // the command runs, whatever the image's entrypoint is
    probe.gpus = GpuSelection::all();
    if (throughCdi) {
        probe.deviceDriver = QStringLiteral("cdi");
        const QStringList names = facts.cdi.names();
        if (!names.contains(CdiNames::nameFor(QStringLiteral("all"))) && !names.isEmpty())
            probe.gpus = GpuSelection::ofDevices({names.first()});
    }
    probe.autoRemove = false;
    probe.networkMode = QStringLiteral("none");
    client->createContainer(
        DockerCreateBody::build(probe), {}, context,
        [client, facts, image, throughCdi, context, done](const Result<QString> &created) {
            if (!created) {
                done({Status::Fail,
                      tr("A probe container on %1 could not be created: %2")
                          .arg(image, created.error().message()),
                      created.error().hint()});
                return;
            }
            const QString &id = created.value();
            client->startContainer(id, context,
                                   [client, facts, id, image, throughCdi, context,
                                    done](const Result<void> &started) {
                                       removeProbe(client, facts, image, throughCdi, id, started,
                                                   context, done);
                                   });
        });
}

void GpuRequestCheck::removeProbe(DockerClient *client, const DoctorFacts &facts,
                                  const QString &image, bool throughCdi, const QString &id,
                                  const Result<void> &started, QObject *context,
                                  const DoctorCheck::Done &done)
{
    // The removal is the client's call, not the context's, so that a re-run (which drops the
    // context) cannot cancel it; the judgement still goes to the context that asked.
    client->removeContainer(id, true, client,
                            [client, facts, image, throughCdi, started,
                             watched = QPointer<QObject>(context), done](const Result<void> &) {
                                if (watched)
                                    judgeProbe(client, facts, image, throughCdi, started, watched,
                                               done);
                            });
}

void GpuRequestCheck::judgeProbe(DockerClient *client, const DoctorFacts &facts,
                                 const QString &image, bool throughCdi, const Result<void> &started,
                                 QObject *context, const DoctorCheck::Done &done)
{
    const CdiInventory &cdi = facts.cdi;
    const Error error = started ? Error() : started.error();
    // A probe image without `true` fails after the GPUs were granted, which is what counts.
    const bool granted = started || error.why().contains(QLatin1String("executable file not found"))
                         || error.why().contains(QLatin1String("no such file or directory"));
    if (granted && throughCdi) {
        // The legacy request failed for want of the hook, but the engine's CDI devices work.
        done({Status::Warn,
              tr("A container asking for GPUs as CDI devices started; the --gpus request has no "
                 "NVIDIA "
                 "runtime hook on this engine."),
              tr("Launch with Device driver: CDI (the engine's devices: %1).")
                  .arg(cdi.names().join(QStringLiteral(", ")))});
        return;
    }
    if (started) {
        done({Status::Pass, tr("A container asking for all GPUs (--gpus all) started.")});
        return;
    }
    if (error.code() == Error::Code::DeviceDriver && !throughCdi && !cdi.devices.isEmpty()
        && facts.info.cdiEnabled()) {
        probeWith(client, facts, image, true, context, done); // does CDI do what --gpus could not?
        return;
    }
    if (error.code() == Error::Code::DeviceDriver) {
        QString fix = QString::fromLatin1(EngineError::kToolkitHint);
        // Docker 29.2's --gpus through CDI: the spec, or the hook.
        const bool viaCdi = error.hint() == QLatin1String(EngineError::kGpusThroughCdiHint);
        if (viaCdi)
            fix = error.hint();
        if (!cdi.devices.isEmpty()) {
            fix = tr("The engine has CDI devices (%1): launch through them with Device driver: "
                     "CDI, or: %2")
                      .arg(cdi.names().join(QStringLiteral(", ")), fix);
        }
        done({Status::Fail, error.why(), fix,
              viaCdi ? CdiCheck::generateCommand() : kToolkitCommand});
        return;
    }
    if (granted) {
        done({Status::Pass,
              tr("The engine granted the GPU request (the probe image has no `true`, which does "
                 "not matter).")});
        return;
    }
    done({Status::Fail, error.message(), error.hint()});
}
