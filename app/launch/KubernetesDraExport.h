#pragma once

#include <QString>

struct LaunchSpec;

// The launch for a cluster that hands out GPUs through Dynamic Resource Allocation
// (resource.k8s.io/v1, GA in Kubernetes 1.34) and NVIDIA's DRA driver: a ResourceClaimTemplate
// asking the device class gpu.nvidia.com for the preset's GPUs, and the Job of KubernetesExport
// whose pod claims them instead of the device plugin's nvidia.com/gpu limit. DRA can say "all",
// a count and GPU UUIDs (a CEL selector on the driver's uuid attribute); a GPU index or a MIG
// device means nothing across nodes, so those become a count with a comment saying so.
class KubernetesDraExport
{
public:
    static QString yaml(const LaunchSpec &spec);
    // The template's name: the Job's name and "-gpus".
    static QString claimTemplateName(const LaunchSpec &spec);
};
