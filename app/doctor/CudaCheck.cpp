#include "CudaCheck.h"

#include "engine/DockerClient.h"
#include "launch/CudaRequirement.h"

#include <memory>

using Status = DoctorCheck::Status;

void CudaCheck::run(DockerClient *client, const DoctorFacts &facts, QObject *context,
                    const DoctorCheck::Done &done)
{
    QStringList images;
    QList<QStringList> envs;
    for (const LaunchSpec &spec : std::as_const(facts.presets)) {
        if (spec.usesGpus() && !images.contains(spec.image)) {
            images << spec.image;
            envs << spec.env;
        }
    }
    if (images.isEmpty()) {
        done({Status::Skip, tr("No preset launches GPUs.")});
        return;
    }
    const GpuSnapshot &snapshot = facts.snapshot;
    if (snapshot.cudaVersion.isEmpty()) {
        done({Status::Skip, tr("The driver's CUDA version is not known.")});
        return;
    }
    auto pending = std::make_shared<qsizetype>(images.size());
    auto passed = std::make_shared<QStringList>();
    auto failed = std::make_shared<QStringList>();
    for (qsizetype i = 0; i < images.size(); ++i) {
        const QString &image = images.at(i);
        const QStringList &env = envs.at(i);
        client->inspectImage(
            image, context,
            [snapshot, image, env, pending, passed, failed,
             done](const Result<QJsonObject> &inspected) {
                if (!inspected) {
                    passed->append(tr("%1 not checked (%2)").arg(image, inspected.error().why()));
                } else {
                    const CudaRequirement requirement = CudaRequirement::fromEnv(
                        CudaRequirement::imageEnv(inspected.value()) + env);
                    const Error refused = requirement.check(image, snapshot);
                    if (refused.isError())
                        failed->append(refused.what() + QStringLiteral(": ") + refused.why());
                    else
                        passed->append(
                            requirement.neededCuda().isEmpty()
                                ? tr("%1 asks for no CUDA version").arg(image)
                                : tr("%1 needs CUDA %2").arg(image, requirement.neededCuda()));
                }
                if (--*pending > 0)
                    return;
                if (!failed->isEmpty()) {
                    done({Status::Fail, failed->join(QStringLiteral("; ")) + QLatin1Char('.'),
                          tr("Install a newer NVIDIA driver, or use image tags built for CUDA %1 "
                             "or older.")
                              .arg(snapshot.cudaVersion)});
                } else {
                    done({Status::Pass,
                          tr("The driver offers CUDA %1: %2.")
                              .arg(snapshot.cudaVersion, passed->join(QStringLiteral("; ")))});
                }
            });
    }
}
