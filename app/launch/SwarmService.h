#pragma once

#include "engine/SwarmNodes.h"

#include "common/Result.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

struct LaunchSpec;

// The launch as a Docker Swarm service (POST /services/create), read off
// DockerCreateBody::build(). Services have no DeviceRequests (moby#40133): GPUs are reserved as
// the nodes' advertised generic resources "NVIDIA-GPU", by number, and the task finds the UUIDs
// it got in DOCKER_RESOURCE_NVIDIA-GPU. The tasks run once (restart condition none).
class SwarmService
{
public:
    static constexpr const char *kGpuKind = SwarmNodes::kGpuKind;

    struct Plan
    {
        QJsonObject body;
        int gpus = 0;      // NVIDIA-GPU reserved per task
        QStringList notes; // what the swarm does differently from a local launch, one sentence each
    };

    // Refuses what a swarm cannot do for GPUs ("all GPUs", CDI devices) with a sentence saying so.
    static Result<Plan> plan(const LaunchSpec &spec, int replicas, const QString &name);
};
