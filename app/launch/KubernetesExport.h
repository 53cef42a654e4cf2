#pragma once

#include "common/Result.h"
#include "gpu/GpuInfo.h"

#include <QList>
#include <QString>

struct LaunchSpec;

// The launch as a Kubernetes batch/v1 Job for `kubectl apply -f`, read off
// DockerCreateBody::build() like the other exports. GPUs are asked for as the NVIDIA device
// plugin's extended resource nvidia.com/gpu; it hands out a number of GPUs, never chosen ones.
//
// inventory is this host's GPUs. It names the product for a nodeSelector when devices are
// picked, and the number that "all GPUs" becomes: Kubernetes has no "all", and the nearest
// launch is this host's count on one node (a node with fewer never runs the Job). Without an
// inventory "all GPUs" is refused with a sentence saying so.
class KubernetesExport
{
public:
    static Result<QString> yaml(const LaunchSpec &spec, const QList<GpuInfo> &inventory);
    // The Job's name: the container name, else "gpudeck-" and the image's name, as a DNS label.
    static QString jobName(const LaunchSpec &spec);
    // GPU feature discovery's nvidia.com/gpu.product value for a GPU name: spaces become '-'.
    static QString productLabel(const QString &gpuName);
};
